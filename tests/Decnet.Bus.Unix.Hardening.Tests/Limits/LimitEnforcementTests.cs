using System.Buffers.Binary;
using Decnet.Bus.Unix.Hardening.Tests.Support;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Hardening.Tests.Limits;

/// <summary>
/// One test per limit: the breaking peer gets its ERR code and is closed (or, for a refused request, keeps its
/// connection), the counter moves, a bystander is untouched.
/// </summary>
public sealed class LimitEnforcementTests : IAsyncLifetime
{
    private LiveBroker _broker = null!;
    private UnixSocketBus _bystander = null!;
    private IBusSubscription _bystanderSub = null!;

    public async Task InitializeAsync()
    {
        _broker = await LiveBroker.StartAsync(o =>
        {
            o.MaxFrameBytes = 4096;
            o.MaxTopicBytes = 32;
            o.MaxPatternTokens = 4;
            o.MaxSubscriptionsPerConnection = 2;
            o.HandshakeTimeout = TimeSpan.FromMilliseconds(200);
            o.IdleTimeout = TimeSpan.Zero; // the bystander sends nothing for long stretches; idle has its own tests
        });
        _bystander = _broker.CreateClient("bystander");
        _bystanderSub = await _bystander.SubscribeAsync("calm.>");
    }

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    public static TheoryData<string, int, string> Violations => new()
    {
        { "frame-size", (int)BusErrorCode.FrameTooLarge, "frame_too_large" },
        { "handshake-timeout", (int)BusErrorCode.HandshakeRequired, "handshake_required" },
    };

    public static TheoryData<string, int, string, int, uint> RefusedRequests => new()
    {
        { "topic-length", (int)BusErrorCode.InvalidTopic, "invalid_topic", (int)FrameKind.Pub, 0 },
        { "pattern-length", (int)BusErrorCode.InvalidPattern, "invalid_pattern", (int)FrameKind.Sub, 1 },
        { "pattern-tokens", (int)BusErrorCode.InvalidPattern, "invalid_pattern", (int)FrameKind.Sub, 1 },
        { "subscriptions", (int)BusErrorCode.TooManySubscriptions, "too_many_subscriptions", (int)FrameKind.Sub, 3 },
    };

    [Theory]
    [MemberData(nameof(RefusedRequests))]
    public async Task BreakingARequestLimit_GetsAnErrNamingTheRequest_StaysConnected_AndIsCounted(string limit, int code, string counter, int kind, uint sid)
    {
        await using var peer = await RawPeer.ConnectAsync(_broker.SocketPath);
        await peer.SendAsync([.. Offending(limit), .. FrameBytes.Of(b => FrameWriter.WriteSimple(b, FrameKind.Ping))]);

        var (frame, body) = await peer.ReadFrameAsync();
        while (frame == FrameKind.SubAck)
        {
            (frame, body) = await peer.ReadFrameAsync();
        }

        Assert.Equal(FrameKind.Err, frame);
        var error = FrameDecoder.ReadErr(new System.Buffers.ReadOnlySequence<byte>(body));
        Assert.Equal(((BusErrorCode)code, (FrameKind)kind, sid), (error.Code, error.Request, error.Sid));
        Assert.Equal(FrameKind.Pong, (await peer.ReadFrameAsync()).Kind);
        Assert.Equal(1, _broker.Server.GetStats().Rejections.GetValueOrDefault(counter));
    }

    [Theory]
    [MemberData(nameof(Violations))]
    public async Task BreakingALimit_GetsItsErrCode_IsClosed_AndIsCounted(string limit, int code, string counter)
    {
        var baseline = _broker.Server.GetStats().Connections.Count;
        await using var peer = await RawPeer.ConnectAsync(_broker.SocketPath, hello: limit != "handshake-timeout");
        await peer.SendAsync(Offending(limit));

        // handshake-timeout sends nothing: the broker's own timer must end it.
        await peer.ExpectErrorAndCloseAsync((BusErrorCode)code);

        var stats = _broker.Server.GetStats();
        Assert.Equal(1, stats.Rejections.GetValueOrDefault(counter));
        Assert.Equal(baseline, stats.Connections.Count);
        await _bystander.PublishAsync("calm.after", new { limit }, cancellationToken: CancellationToken.None);
        using var bound = new CancellationTokenSource(LiveBroker.Bound);
        await using var events = _bystanderSub.GetAsyncEnumerator(bound.Token);
        Assert.True(await events.MoveNextAsync());
        Assert.Equal("calm.after", events.Current.Topic);
    }

    [Fact]
    public async Task WithinEveryLimit_NothingIsRejected()
    {
        await using var peer = await RawPeer.ConnectAsync(_broker.SocketPath);
        await peer.SendAsync(FrameBytes.Of(b => FrameWriter.WriteSub(b, 1, "a.b.c.>")));
        await peer.SendAsync(FrameBytes.Of(b => FrameWriter.WriteSub(b, 2, new string('x', 32))));
        await peer.SendAsync(FrameBytes.Of(b => FrameWriter.WriteSimple(b, FrameKind.Ping)));

        Assert.Equal(FrameKind.SubAck, (await peer.ReadFrameAsync()).Kind);
        Assert.Equal(FrameKind.SubAck, (await peer.ReadFrameAsync()).Kind);
        Assert.Equal(FrameKind.Pong, (await peer.ReadFrameAsync()).Kind);
        Assert.Empty(_broker.Server.GetStats().Rejections);
    }

    [Fact]
    public async Task IdleTimeout_ClosesAPeerThatSendsNothing_WithErr10_AndCountsIt()
    {
        await using var broker = await LiveBroker.StartAsync(o => o.IdleTimeout = TimeSpan.FromMilliseconds(300));
        await using var peer = await RawPeer.ConnectAsync(broker.SocketPath);

        await peer.ExpectErrorAndCloseAsync(BusErrorCode.IdleTimeout);
        Assert.Equal(1, broker.Rejections("idle_timeout"));
        Assert.Empty(broker.Server.GetStats().Connections);
    }

    [Fact]
    public async Task AQuietPeerThatAnswersTheBrokersPings_StaysConnectedPastTheIdleTimeout()
    {
        await using var broker = await LiveBroker.StartAsync(o => o.IdleTimeout = TimeSpan.FromMilliseconds(300));
        await using var peer = await RawPeer.ConnectAsync(broker.SocketPath);

        // The broker PINGs a quiet connection half-way through each idle period; four answered PINGs span two full
        // idle timeouts in which this peer sent nothing but PONGs.
        for (var pings = 0; pings < 4; pings++)
        {
            Assert.Equal(FrameKind.Ping, (await peer.ReadFrameAsync()).Kind);
            await peer.SendAsync(FrameBytes.Of(b => FrameWriter.WriteSimple(b, FrameKind.Pong)));
        }

        Assert.Equal(0, broker.Rejections("idle_timeout"));
        Assert.Single(broker.Server.GetStats().Connections);
    }

    [Fact]
    public async Task AQuietUnixSocketBusSubscriber_StaysConnectedPastTheIdleTimeout()
    {
        await using var broker = await LiveBroker.StartAsync(o => o.IdleTimeout = TimeSpan.FromMilliseconds(200));
        var subscriber = broker.CreateClient("quiet");
        await using var subscription = await subscriber.SubscribeAsync("late.>");

        // Observe the broker's side: four idle halves pass while the subscriber only answers PINGs.
        await using var observer = await RawPeer.ConnectAsync(broker.SocketPath);
        for (var pings = 0; pings < 4; pings++)
        {
            Assert.Equal(FrameKind.Ping, (await observer.ReadFrameAsync()).Kind);
            await observer.SendAsync(FrameBytes.Of(b => FrameWriter.WriteSimple(b, FrameKind.Pong)));
        }

        await observer.SendAsync(FrameBytes.Of(b => FrameWriter.WritePubRaw(b, "late.news", "t", "0123456789abcdef0123456789abcdef", 1.0, [0x80])));
        using var bound = new CancellationTokenSource(LiveBroker.Bound);
        await using var events = subscription.GetAsyncEnumerator(bound.Token);
        Assert.True(await events.MoveNextAsync());
        Assert.Equal("late.news", events.Current.Topic);
        Assert.Equal(0, subscription.Reconnected);
        Assert.Equal(0, broker.Rejections("idle_timeout"));
    }

    [Fact]
    public async Task UnreadControlFrames_BeyondTheBacklog_GetErr9_AndAreCounted()
    {
        // 400 000 PINGs never read back: the PONGs (over 2 MB) fill the socket buffers (1 MiB by default,
        // DECNET_BUS_SEND_BUFFER_BYTES), then the 4096-frame control backlog.
        await using var peer = await RawPeer.ConnectAsync(_broker.SocketPath);
        var ping = FrameBytes.Of(b => FrameWriter.WriteSimple(b, FrameKind.Ping));
        var flood = new byte[ping.Length * 400_000];
        for (var at = 0; at < flood.Length; at += ping.Length)
        {
            ping.CopyTo(flood, at);
        }

        var rejected = _broker.NextRejection(BusErrorCode.SlowConsumer);
        var sending = peer.SendAsync(flood);
        await rejected.WaitAsync(LiveBroker.Bound);

        // Reading now drains the PONGs, then the ERR, then the close.
        Assert.Equal(BusErrorCode.SlowConsumer, await peer.ReadUntilClosedAsync(LiveBroker.Bound));
        try
        {
            await sending.WaitAsync(LiveBroker.Bound);
        }
        catch (System.Net.Sockets.SocketException)
        {
            // The broker closed while the rest of the flood was unsent: expected.
        }

        Assert.Equal(1, _broker.Rejections("slow_consumer"));
    }

    [Fact]
    public async Task ConnectionLimit_RefusesTheExtraPeerWithErr6_AndCountsIt()
    {
        await using var broker = await LiveBroker.StartAsync(o => o.MaxConnections = 2);
        await using var first = await RawPeer.ConnectAsync(broker.SocketPath);
        await using var second = await RawPeer.ConnectAsync(broker.SocketPath);
        await using var third = await RawPeer.ConnectAsync(broker.SocketPath, hello: false);

        await third.ExpectErrorAndCloseAsync(BusErrorCode.TooManyConnections);
        Assert.Equal(1, broker.Rejections("too_many_connections"));
        Assert.Equal(2, broker.Server.GetStats().Connections.Count);
    }

    private static byte[] Offending(string limit)
    {
        switch (limit)
        {
            case "frame-size":
                var header = new byte[4];
                BinaryPrimitives.WriteUInt32BigEndian(header, 4097);
                return header;
            case "topic-length":
                return FrameBytes.Of(b => FrameWriter.WritePubRaw(b, new string('t', 33), "t", "x", 1.0, [0x80]));
            case "pattern-length":
                return FrameBytes.Of(b => FrameWriter.WriteSub(b, 1, new string('p', 33)));
            case "pattern-tokens":
                return FrameBytes.Of(b => FrameWriter.WriteSub(b, 1, "a.b.c.d.>"));
            case "subscriptions":
                return [.. Enumerable.Range(1, 3).SelectMany(sid => FrameBytes.Of(b => FrameWriter.WriteSub(b, (uint)sid, "s.>")))];
            default:
                return [];
        }
    }
}
