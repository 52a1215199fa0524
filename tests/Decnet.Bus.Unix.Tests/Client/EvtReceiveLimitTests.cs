using System.Buffers;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;
using MessagePack;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// The largest frame the client accepts (docs/wire-protocol.md §4.1): an EVT is the PUB it carries plus the receiving
/// connection's sid array and the publisher's credentials, and the sid array can outgrow a small max_frame.
/// </summary>
public sealed class EvtReceiveLimitTests
{
    [Fact]
    public async Task AnEvtOfAMaxFramePub_ListingEverySidOfTheConnection_IsReceived()
    {
        // 2,048 sids up to 2,048 take about 5.7 KB, so the EVT of a 4,096-byte PUB is over 2 x 4,096.
        const int subscriptions = 2048;
        await using var broker = await TestBroker.StartAsync(o =>
        {
            o.MaxFrameBytes = 4096;
            o.MaxSubscriptionsPerConnection = subscriptions;
        });
        var bus = broker.CreateClient("many-sids");
        var subs = new List<IBusSubscription>();
        for (var i = 0; i < subscriptions; i++)
        {
            subs.Add(await bus.SubscribeAsync("big.>"));
        }

        await using var publisher = await RawClient.ConnectAsync(broker.SocketPath);
        var pub = FrameBytes.Of(b => FrameWriter.WritePubRaw(b, "big.x", "t", "0123456789abcdef0123456789abcdef", 1.5, Payload(4037)));
        Assert.Equal(4096, pub.Length - ProtocolConstants.HeaderSize);
        await publisher.SendAsync(pub);

        Assert.Equal("big.x", (await Receive.NextAsync(subs[0])).Topic);
        Assert.Equal("big.x", (await Receive.NextAsync(subs[^1])).Topic);
        foreach (var sub in subs)
        {
            await sub.DisposeAsync();
        }
    }

    private static byte[] Payload(int length)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteMapHeader(1);
        writer.Write("s");
        writer.Write(new string('a', length));
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}
