using Decnet.Bus.Codec;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;
using Decnet.Testing;
using Microsoft.Extensions.Logging;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// An EVT the client drops as malformed (an id that is no event id, from a publisher that skips the check) is a lost
/// event: counted in <see cref="IBus.Counters"/>' <c>Dropped</c>, as NATS counts it in <c>NatsBusStats.Rejected</c>,
/// and logged at Warning once per connection, escaped and bounded (docs/wire-protocol.md, <c>id</c>).
/// </summary>
public sealed class MalformedEventCountTests
{
    [Fact]
    public async Task EvtsWithAnInvalidId_AreCountedAsDropped_AndWarnedOncePerConnection_EscapedAndBounded()
    {
        await using var broker = await TestBroker.StartAsync();
        var log = new ListLogger<UnixSocketBus>();
        await using var subscriber = new UnixSocketBus(TestBroker.NewOptions(broker.SocketPath), log);
        await using var subscription = await subscriber.SubscribeAsync("hostile.>");
        var hostile = "\u001b[2J\u001b]0;pwned\u0007" + new string('x', 200_000);
        using var timeout = new CancellationTokenSource(TestBroker.Bound);

        await PublishAsync(broker.SocketPath, [hostile, "0AF7651916CD43DD8448EB211C80319C", "x"]);
        Assert.Equal("hostile.good", (await Receive.NextAsync(subscription)).Topic);

        Assert.True(subscriber.Counters.Dropped == 3, $"dropped {subscriber.Counters.Dropped}, not the 3 malformed EVTs");
        var warning = Assert.Single(log.Entries, IsMalformedEventWarning);
        Assert.Contains(broker.SocketPath, warning.Message, StringComparison.Ordinal);
        Assert.Contains("EVT id (200014 characters)", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(warning.Message, char.IsControl);
        Assert.True(warning.Message.Length < 2_000, $"a warning of {warning.Message.Length} characters");

        // A new connection warns again, once (the restart's own outage warning, if any, is another line).
        await broker.RestartAsync();
        await subscriber.WaitForGenerationAsync(2, timeout.Token);
        await PublishAsync(broker.SocketPath, ["", "0af7651916cd43dd8448eb211c80319"]);
        Assert.Equal("hostile.good", (await Receive.NextAsync(subscription)).Topic);

        Assert.Equal(5, subscriber.Counters.Dropped);
        Assert.Equal(2, log.Entries.Count(IsMalformedEventWarning));
        Assert.Equal(3, log.Entries.Count(e => e.Level == LogLevel.Debug && e.Message.Contains("EVT id (", StringComparison.Ordinal)));
    }

    private static bool IsMalformedEventWarning((LogLevel Level, string Message) entry)
        => entry.Level == LogLevel.Warning && entry.Message.Contains("EVT id (", StringComparison.Ordinal);

    /// <summary>
    /// One EVT per id on <c>hostile.bad</c>, then a good one on <c>hostile.good</c>, from a raw publisher.
    /// </summary>
    private static async Task PublishAsync(string socketPath, string[] ids)
    {
        await using var raw = await RawClient.ConnectAsync(socketPath);
        await raw.SendAsync(b =>
        {
            foreach (var id in ids)
            {
                FrameWriter.WritePubRaw(b, "hostile.bad", "x", id, 1.5, BusCodec.EmptyMap.Span);
            }

            FrameWriter.WritePubRaw(b, "hostile.good", "x", new string('e', 32), 1.5, BusCodec.EmptyMap.Span);
        });

        // A PING's PONG proves the broker routed every PUB before it, so the raw connection may close.
        await raw.SendAsync(b => FrameWriter.WriteSimple(b, FrameKind.Ping));
        while ((await raw.ReadFrameAsync()).Kind != FrameKind.Pong)
        {
        }
    }
}
