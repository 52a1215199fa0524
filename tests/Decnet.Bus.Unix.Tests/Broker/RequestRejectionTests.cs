using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Broker;

/// <summary>
/// A rejected SUB or PUB is answered with an ERR naming the request and the connection stays (docs/wire-protocol.md
/// §6), so a client never reconnects, re-subscribes and is rejected again in a loop.
/// </summary>
public sealed class RequestRejectionTests : IAsyncLifetime
{
    private TestBroker _broker = null!;

    public async Task InitializeAsync()
        => _broker = await TestBroker.StartAsync(o =>
        {
            o.MaxTopicBytes = 32;
            o.MaxSubscriptionsPerConnection = 2;
            o.MaxPatternTokens = 4;
        });

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    public static TheoryData<string, int> RejectedSubs => new()
    {
        { "a.>.b", (int)BusErrorCode.InvalidPattern },
        { new string('p', 33), (int)BusErrorCode.InvalidPattern },
        { "a.b.c.d.e", (int)BusErrorCode.InvalidPattern },
    };

    [Theory]
    [MemberData(nameof(RejectedSubs))]
    public async Task RejectedSub_GetsErrNamingItsSid_AndTheConnectionStays(string pattern, int code)
    {
        await using var raw = await RawClient.ConnectAsync(_broker.SocketPath);
        await raw.SendAsync(b => FrameWriter.WriteSub(b, 7, pattern));

        await raw.ExpectRequestErrorAsync((BusErrorCode)code, FrameKind.Sub, 7);
        await raw.PingAsync();
        Assert.Equal(1, _broker.Server.GetStats().Rejections.GetValueOrDefault(BrokerStats.RejectionName(code)));
    }

    [Fact]
    public async Task SubOverTheLimit_GetsErr5ForThatSid_TheOthersKeepReceiving()
    {
        await using var raw = await RawClient.ConnectAsync(_broker.SocketPath);
        await raw.SendAsync(b =>
        {
            FrameWriter.WriteSub(b, 1, "a");
            FrameWriter.WriteSub(b, 2, "b");
            FrameWriter.WriteSub(b, 3, "c");
        });
        Assert.Equal(FrameKind.SubAck, (await raw.ReadFrameAsync()).Kind);
        Assert.Equal(FrameKind.SubAck, (await raw.ReadFrameAsync()).Kind);

        await raw.ExpectRequestErrorAsync(BusErrorCode.TooManySubscriptions, FrameKind.Sub, 3);

        await raw.SendAsync(b => FrameWriter.WritePubRaw(b, "b", "", new string('0', 32), 1, [0x80]));
        Assert.Equal(FrameKind.Evt, (await raw.ReadFrameAsync()).Kind);
        Assert.Single(_broker.Server.GetStats().Connections, c => c.Name == "raw" && c.Subscriptions == 2);
    }

    [Theory]
    [InlineData("a.*")]
    [InlineData("bad..topic")]
    [InlineData("ttttttttttttttttttttttttttttttttt")]
    public async Task PubOnAnInvalidTopic_GetsErr3NamingThePub_AndTheConnectionStays(string topic)
    {
        await using var raw = await RawClient.ConnectAsync(_broker.SocketPath);
        await raw.SendAsync(b => FrameWriter.WritePubRaw(b, topic, "", new string('0', 32), 1, [0x80]));

        await raw.ExpectRequestErrorAsync(BusErrorCode.InvalidTopic, FrameKind.Pub, 0);
        await raw.PingAsync();
    }
}
