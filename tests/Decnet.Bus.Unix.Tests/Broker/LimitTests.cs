using System.Buffers.Binary;
using System.Net.Sockets;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Broker;

public sealed class LimitTests : IAsyncLifetime
{
    private TestBroker _broker = null!;
    private UnixSocketBus _bystander = null!;
    private UnixSocketBus _publisher = null!;
    private IBusSubscription _bystanderSub = null!;

    public async Task InitializeAsync()
    {
        _broker = await TestBroker.StartAsync(o =>
        {
            o.MaxFrameBytes = 8192;
            o.MaxTopicBytes = 32;
            o.MaxSubscriptionsPerConnection = 2;
            o.MaxConnections = 4;
        });
        _bystander = _broker.CreateClient("bystander");
        _publisher = _broker.CreateClient("publisher");
        _bystanderSub = await _bystander.SubscribeAsync("calm.>");
        await _publisher.PublishAsync("calm.init", new { });
        Assert.Equal("calm.init", (await Receive.NextAsync(_bystanderSub)).Topic);
    }

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    public static TheoryData<string, int> Violations => new()
    {
        { "frame-too-large", (int)BusErrorCode.FrameTooLarge },
        { "garbage", (int)BusErrorCode.BadFrame },
        { "payload-not-map", (int)BusErrorCode.BadFrame },
        { "client-sends-evt", (int)BusErrorCode.BadFrame },
    };

    [Theory]
    [MemberData(nameof(Violations))]
    public async Task Violation_GetsErrAndDisconnect_WhileOthersKeepReceiving(string violation, int code)
    {
        await using var raw = await RawClient.ConnectAsync(_broker.SocketPath);
        await raw.SendAsync(Offending(violation));

        await raw.ExpectErrorAndCloseAsync((BusErrorCode)code);

        await _publisher.PublishAsync("calm.after", new { violation });
        Assert.Equal("calm.after", (await Receive.NextAsync(_bystanderSub)).Topic);
    }

    [Fact]
    public async Task FirstFrameNotHello_IsAHandshakeError()
    {
        await using var raw = await RawClient.ConnectAsync(_broker.SocketPath, hello: false);
        await raw.SendAsync(b => FrameWriter.WriteSimple(b, FrameKind.Ping));

        await raw.ExpectErrorAndCloseAsync(BusErrorCode.HandshakeRequired);
    }

    [Fact]
    public async Task WrongProtocolVersion_IsRefused()
    {
        await using var raw = await RawClient.ConnectAsync(_broker.SocketPath, hello: false);
        await raw.SendAsync(b => FrameWriter.WriteHello(b, new HelloMessage(99, "future", true, 0, 0)));

        await raw.ExpectErrorAndCloseAsync(BusErrorCode.ProtocolVersion);
    }

    [Fact]
    public async Task TooManyConnections_TheExtraOneGetsErr_OthersKeepReceiving()
    {
        // bystander + publisher are two; fill up to the limit of four.
        await using var third = await RawClient.ConnectAsync(_broker.SocketPath);
        await using var fourth = await RawClient.ConnectAsync(_broker.SocketPath);
        await using var extra = await RawClient.ConnectAsync(_broker.SocketPath, hello: false);

        await extra.ExpectErrorAndCloseAsync(BusErrorCode.TooManyConnections);

        await _publisher.PublishAsync("calm.full", new { });
        Assert.Equal("calm.full", (await Receive.NextAsync(_bystanderSub)).Topic);
    }

    [Fact]
    public async Task TooManyConnections_AClientThatAlreadySentHello_CanStillReadTheErr()
    {
        await using var third = await RawClient.ConnectAsync(_broker.SocketPath);
        await using var fourth = await RawClient.ConnectAsync(_broker.SocketPath);
        await using var extra = await RawClient.ConnectAsync(_broker.SocketPath, hello: false);
        try
        {
            await extra.SendAsync(b => FrameWriter.WriteHello(b, new HelloMessage(ProtocolConstants.Version, "late", true, 0, 0)));
        }
        catch (SocketException)
        {
            // The broker may already have written ERR 6 and closed: the write fails, the ERR is still there to read.
        }

        var (kind, body) = await extra.ReadFrameAsync();
        Assert.Equal(FrameKind.Err, kind);
        Assert.Equal(BusErrorCode.TooManyConnections, FrameDecoder.ReadErr(new System.Buffers.ReadOnlySequence<byte>(body)).Code);

        // Then the close: EOF, or a reset when the broker closed with our HELLO unread (docs/wire-protocol.md §4.1).
        var close = await Record.ExceptionAsync(extra.ReadFrameAsync);
        Assert.True(
            close is EndOfStreamException or SocketException { SocketErrorCode: SocketError.ConnectionReset },
            $"expected EOF or ECONNRESET after ERR 6, got {close}");
    }

    private static byte[] Offending(string violation) => violation switch
    {
        "frame-too-large" => Header(1 << 20),
        "garbage" => [0, 0, 0, 3, 0xc1, 0xc1, 0xc1],
        "payload-not-map" => FrameBytes.Of(b => FrameWriter.WritePubRaw(b, "calm.x", "", new string('0', 32), 1, [0x01])),
        "client-sends-evt" => FrameBytes.Of(b => FrameWriter.WriteSimple(b, FrameKind.Welcome)),
        _ => throw new ArgumentOutOfRangeException(nameof(violation)),
    };

    private static byte[] Header(int length)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)length);
        return bytes;
    }
}
