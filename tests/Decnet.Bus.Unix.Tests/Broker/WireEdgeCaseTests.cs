using System.Buffers;
using System.Net.Sockets;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;
using MessagePack;

namespace Decnet.Bus.Unix.Tests.Broker;

/// <summary>
/// The corners of docs/wire-protocol.md that a client written from the page needs pinned: what each odd input gets,
/// with the exact, stable ERR text (never a .NET exception message).
/// </summary>
public sealed class WireEdgeCaseTests : IAsyncLifetime
{
    private TestBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await TestBroker.StartAsync();

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public async Task EofInTheMiddleOfAFrame_IsASilentClose()
    {
        await using var raw = await RawClient.ConnectAsync(_broker.SocketPath);
        var ping = FrameBytes.Of(b => FrameWriter.WriteSimple(b, FrameKind.Ping));
        await raw.SendAsync([.. ping, .. FrameBytes.Of(b => FrameWriter.WriteSub(b, 1, "half.frame"))[..7]]);
        Assert.Equal(FrameKind.Pong, (await raw.ReadFrameAsync()).Kind);

        raw.Socket.Shutdown(SocketShutdown.Send);

        await Assert.ThrowsAsync<EndOfStreamException>(raw.ReadFrameAsync);
        Assert.Empty(_broker.Server.GetStats().Rejections);
    }

    [Theory]
    [InlineData(2, "WELCOME")]
    [InlineData(14, "LOST")]
    public async Task AFrameOnlyTheBrokerSends_IsErr1_NamingIt(byte kind, string name)
    {
        await using var raw = await RawClient.ConnectAsync(_broker.SocketPath);
        await raw.SendAsync([0, 0, 0, 3, 0x92, kind, 0x90]);

        Assert.Equal($"a client may not send {name}", await ExpectFatalAsync(raw, BusErrorCode.BadFrame));
    }

    [Fact]
    public async Task AZeroLengthFrame_IsErr1()
    {
        await using var raw = await RawClient.ConnectAsync(_broker.SocketPath);
        await raw.SendAsync([0, 0, 0, 0]);

        Assert.Equal("empty frame", await ExpectFatalAsync(raw, BusErrorCode.BadFrame));
    }

    [Fact]
    public async Task ATopicEncodedAsBin_IsErr3_AndTheConnectionStays()
    {
        await using var raw = await RawClient.ConnectAsync(_broker.SocketPath);
        await raw.SendAsync(Pub((ref MessagePackWriter w) =>
        {
            w.Write(3);
            w.Write("bin.topic"u8);
        }));

        var error = await raw.ExpectRequestErrorAsync(BusErrorCode.InvalidTopic, FrameKind.Pub, 0);
        Assert.Equal("topic is empty or not a MessagePack str", error.Message);
        await raw.PingAsync();
    }

    [Fact]
    public async Task APayloadMapWithANonStringKey_IsErr1()
    {
        await using var raw = await RawClient.ConnectAsync(_broker.SocketPath);
        await raw.SendAsync(b => FrameWriter.WritePubRaw(b, "keys.int", "", RawFrames.EventId, 1, [0x82, 0xa1, 0x61, 0x01, 0x07, 0x02]));

        Assert.Equal(FrameDecoder.NonStringKey, await ExpectFatalAsync(raw, BusErrorCode.BadFrame));
    }

    [Fact]
    public async Task APayloadMapWithStringKeys_AndNonStringKeysDeeperDown_IsForwarded()
    {
        await using var raw = await RawClient.ConnectAsync(_broker.SocketPath);
        await raw.SendAsync(b => FrameWriter.WriteSub(b, 1, "keys.>"));
        Assert.Equal(FrameKind.SubAck, (await raw.ReadFrameAsync()).Kind);

        // {"a": {1: 2}}: only the payload's own keys must be strings; values are opaque.
        await raw.SendAsync(b => FrameWriter.WritePubRaw(b, "keys.nested", "", RawFrames.EventId, 1, [0x81, 0xa1, 0x61, 0x81, 0x01, 0x02]));

        Assert.Equal(FrameKind.Evt, (await raw.ReadFrameAsync()).Kind);
    }

    // The control lane is bounded at 16 frames here (4,096 by default) so the test holds on a loaded machine: a Unix
    // stream socket takes at least ~270 small writes (its 208 KiB send buffer is charged per write, not per byte), and
    // under load the broker writes PONGs a few at a time, so thousands of PONGs cannot be counted on to fit unread. The
    // broker keeps the kernel's default send buffer here (DECNET_BUS_SEND_BUFFER_BYTES=0), which the flood's size assumes.
    [Fact]
    public async Task Err9_CountsRepliesNotYetWritten_NotRepliesUnread()
    {
        const int Lane = 16;
        const int Rounds = 8;
        await using var broker = await TestBroker.StartAsync(static o => o.SendBufferBytes = 0, limits: static l => l with { MaxControlBacklog = Lane });
        var slowConsumer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        broker.Server.Hub!.Rejected += code =>
        {
            if (code == BusErrorCode.SlowConsumer)
            {
                slowConsumer.TrySetResult();
            }
        };
        await using var raw = await RawClient.ConnectAsync(broker.SocketPath);
        var ping = FrameBytes.Of(b => FrameWriter.WriteSimple(b, FrameKind.Ping));
        var pong = FrameBytes.Of(b => FrameWriter.WriteSimple(b, FrameKind.Pong));

        // Written, unread: rounds of half the lane, each sent once the broker has written the round before. Four lanes'
        // worth of PONGs then wait unread in our socket, and there is no ERR 9.
        var unread = UnreadBytes.Watch(raw.Socket);
        for (var round = 1; round <= Rounds; round++)
        {
            await raw.SendAsync(Repeat(ping, Lane / 2));
            await unread.WaitForAsync(round * (Lane / 2) * pong.Length, TestBroker.Bound);
        }

        Assert.Empty(broker.Server.GetStats().Rejections);

        // Queued, unwritten: more PINGs than the socket can hold PONGs for (208 KiB is at most ~35,500 of them), still
        // unread. The PONGs the socket cannot take queue in the control lane; past the lane's bound, ERR 9.
        const int Flood = 48_000;
        var flood = SendUntilRefusedAsync(raw.Socket, Repeat(ping, Flood));
        await slowConsumer.Task.WaitAsync(TestBroker.Bound);

        var frames = ParseAll(await ReadToEndAsync(raw.Socket));
        await flood;
        var pongs = frames.TakeWhile(static f => f.Kind == FrameKind.Pong).Count();
        Assert.InRange(pongs, Rounds * (Lane / 2), (Rounds * (Lane / 2)) + Flood - 1);
        Assert.Equal(pongs + 1, frames.Count);
        Assert.Equal(FrameKind.Err, frames[^1].Kind);
        var error = FrameDecoder.ReadErr(new ReadOnlySequence<byte>(frames[^1].Body));
        Assert.Equal((BusErrorCode.SlowConsumer, true), (error.Code, error.Closes));
        Assert.Equal($"more than {Lane} control frames or 256 KiB of them not yet written", error.Message);
        Assert.Equal(1, broker.Server.GetStats().Rejections.GetValueOrDefault(BrokerStats.RejectionName((int)BusErrorCode.SlowConsumer)));
    }

    public static TheoryData<string, int, int, int, int> HelloIntegers => new()
    {
        // case, queue_size sent, max_frame sent, queue_size in force, max_frame in force
        { "zero means default", 0, 0, 1024, 1 << 20 },
        { "negative means default", -5, -1, 1024, 1 << 20 },
        { "small max_frame is raised to 4096", 10, 1, 10, 4096 },
        { "too large is clamped", int.MaxValue, int.MaxValue, 1 << 20, 1 << 20 },
    };

    [Theory]
    [MemberData(nameof(HelloIntegers))]
    public async Task HelloIntegers_AreClampedIntoRange_NeverRejected(string @case, int queueSize, int maxFrame, int queueInForce, int maxFrameInForce)
    {
        var welcome = await HandshakeAsync((ref MessagePackWriter w) =>
        {
            w.Write(queueSize);
            w.Write(maxFrame);
        });

        Assert.Equal((queueInForce, maxFrameInForce), (welcome.QueueSize, welcome.MaxFrame));
        Assert.NotEmpty(@case);
    }

    [Fact]
    public async Task HelloIntegersBeyondInt32_AsUint64_AreClamped()
    {
        var welcome = await HandshakeAsync((ref MessagePackWriter w) =>
        {
            w.Write(ulong.MaxValue);
            w.Write(1UL << 40);
        });

        Assert.Equal((1 << 20, 1 << 20), (welcome.QueueSize, welcome.MaxFrame));
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(1L << 40)]
    public async Task AHelloVersionOutOfRange_IsErr7(long version)
    {
        await using var raw = await RawClient.ConnectAsync(_broker.SocketPath, hello: false);
        await raw.SendAsync(Frame((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(6);
            w.Write(1);
            w.Write(version);
            w.Write("raw");
            w.Write(true);
            w.Write(0);
            w.Write(0);
        }));

        await ExpectFatalAsync(raw, BusErrorCode.ProtocolVersion);
    }

    [Fact]
    public async Task EveryIntegerEncoding_IsAccepted_ForKindsAndSids()
    {
        await using var raw = await RawClient.ConnectAsync(_broker.SocketPath);

        // SUB with kind and sid as uint64, then UNSUB with kind as int8 and sid as uint16.
        await raw.SendAsync(Frame((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(3);
            w.WriteUInt64(4);
            w.WriteUInt64(7);
            w.Write("ints.>");
        }));
        var (kind, body) = await raw.ReadFrameAsync();
        Assert.Equal(FrameKind.SubAck, kind);
        Assert.Equal(7u, ParseOne(body).Sid);

        // A PUB whose kind is a uint64 takes the general parser and is routed like any other.
        await raw.SendAsync(Pub((ref MessagePackWriter w) =>
        {
            w.WriteUInt64(3);
            w.Write("ints.x");
        }));
        Assert.Equal(FrameKind.Evt, (await raw.ReadFrameAsync()).Kind);

        await raw.SendAsync(Frame((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(2);
            w.WriteInt8(6);
            w.WriteUInt16(7);
        }));
        await raw.PingAsync();
        Assert.Single(_broker.Server.GetStats().Connections, c => c.Name == "raw" && c.Subscriptions == 0);
    }

    public static TheoryData<string, byte[], string> NetExceptionInputs => new()
    {
        // Each of these produced a .NET exception message in the ERR before ("Arithmetic operation resulted in an
        // overflow.", "Attempted to read past the end of the stream.").
        { "negative fixint sid", Frame((ref MessagePackWriter w) => { w.WriteArrayHeader(3); w.Write(4); w.Write(-1); w.Write("a"); }), "malformed SUB: " + FrameReader.MalformedField },
        { "sid beyond uint32", Frame((ref MessagePackWriter w) => { w.WriteArrayHeader(3); w.Write(4); w.Write(1L << 33); w.Write("a"); }), "malformed SUB: " + FrameReader.MalformedField },
        { "array shorter than its header", Frame((ref MessagePackWriter w) => { w.WriteArrayHeader(3); w.Write(4); }), "malformed frame: " + FrameReader.MalformedField },
        { "kind beyond int32", Frame((ref MessagePackWriter w) => { w.WriteArrayHeader(1); w.Write(1L << 40); }), "malformed frame: " + FrameReader.MalformedField },
        { "UNSUB sid a float", Frame((ref MessagePackWriter w) => { w.WriteArrayHeader(2); w.Write(6); w.Write(1.5); }), "malformed UNSUB: " + FrameReader.MalformedField },
    };

    [Theory]
    [MemberData(nameof(NetExceptionInputs))]
    public async Task ErrText_IsFixed_NeverADotNetExceptionMessage(string @case, byte[] frame, string expected)
    {
        await using var raw = await RawClient.ConnectAsync(_broker.SocketPath);
        await raw.SendAsync(frame);

        Assert.Equal(expected, await ExpectFatalAsync(raw, BusErrorCode.BadFrame));
        Assert.NotEmpty(@case);
    }

    [Fact]
    public async Task AHelloWithAFieldOfTheWrongType_GetsFixedErrText()
    {
        await using var raw = await RawClient.ConnectAsync(_broker.SocketPath, hello: false);
        await raw.SendAsync(Hello((ref MessagePackWriter w) =>
        {
            w.Write("not a number");
            w.Write(0);
        }));

        Assert.Equal("malformed HELLO: " + FrameReader.MalformedField, await ExpectFatalAsync(raw, BusErrorCode.BadFrame));
    }

    private static async Task<string> ExpectFatalAsync(RawClient raw, BusErrorCode code)
    {
        var (kind, body) = await raw.ReadFrameAsync();
        Assert.Equal(FrameKind.Err, kind);
        var error = FrameDecoder.ReadErr(new ReadOnlySequence<byte>(body));
        Assert.Equal(code, error.Code);
        Assert.True(error.Closes);
        await Assert.ThrowsAsync<EndOfStreamException>(raw.ReadFrameAsync);
        return error.Message;
    }

    private static byte[] Repeat(byte[] frame, int count) => [.. Enumerable.Repeat(frame, count).SelectMany(static f => f)];

    /// <summary>Sends <paramref name="bytes"/>; a broker that stopped reading after a fatal ERR may refuse the rest.</summary>
    private static async Task SendUntilRefusedAsync(Socket socket, byte[] bytes)
    {
        try
        {
            await socket.SendAsync(bytes, SocketFlags.None);
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.Shutdown or SocketError.ConnectionReset or SocketError.ConnectionAborted)
        {
        }
    }

    /// <summary>Everything the broker wrote until it closed: EOF, or a reset once the data is read (it closed with our PINGs unread).</summary>
    private static async Task<byte[]> ReadToEndAsync(Socket socket)
    {
        using var timeout = new CancellationTokenSource(TestBroker.Bound);
        using var all = new MemoryStream();
        var chunk = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(chunk, SocketFlags.None, timeout.Token)) > 0)
            {
                all.Write(chunk, 0, read);
            }
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
        {
        }

        return all.ToArray();
    }

    private static List<(FrameKind Kind, byte[] Body)> ParseAll(byte[] bytes)
    {
        var frames = new List<(FrameKind, byte[])>();
        var sequence = new ReadOnlySequence<byte>(bytes);
        while (FrameReader.TryParse(ref sequence, 1 << 20, out var frame))
        {
            frames.Add((frame.Kind, frame.Body.ToArray()));
        }

        Assert.Equal(0, sequence.Length);
        return frames;
    }

    private async Task<WelcomeMessage> HandshakeAsync(MessagePackAction limits)
    {
        await using var raw = await RawClient.ConnectAsync(_broker.SocketPath, hello: false);
        await raw.SendAsync(Hello(limits));
        var (kind, body) = await raw.ReadFrameAsync();
        Assert.Equal(FrameKind.Welcome, kind);
        return FrameDecoder.ReadWelcome(new ReadOnlySequence<byte>(body));
    }

    private static Frame ParseOne(byte[] body)
    {
        var bytes = new byte[body.Length + 4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)body.Length);
        body.CopyTo(bytes, 4);
        var sequence = new ReadOnlySequence<byte>(bytes);
        Assert.True(FrameReader.TryParse(ref sequence, 1 << 20, out var frame));
        return frame;
    }

    /// <summary>A HELLO (version 1, name, echo) whose <c>queue_size</c> and <c>max_frame</c> the test encodes.</summary>
    private static byte[] Hello(MessagePackAction limits) => Frame((ref MessagePackWriter w) =>
    {
        w.WriteArrayHeader(6);
        w.Write(1);
        w.Write(1);
        w.Write("raw");
        w.Write(true);
        limits(ref w);
    });

    /// <summary>A PUB whose kind and topic the test encodes, with a valid tail.</summary>
    private static byte[] Pub(MessagePackAction kindAndTopic) => Frame((ref MessagePackWriter w) =>
    {
        w.WriteArrayHeader(6);
        kindAndTopic(ref w);
        w.Write("t");
        w.Write(RawFrames.EventId);
        w.Write(1.0);
        w.WriteMapHeader(0);
    });

    /// <summary>A length-prefixed frame whose body the test writes field by field, in any encoding.</summary>
    private static byte[] Frame(MessagePackAction body)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        body(ref writer);
        writer.Flush();
        var bytes = new byte[buffer.WrittenCount + 4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)buffer.WrittenCount);
        buffer.WrittenSpan.CopyTo(bytes.AsSpan(4));
        return bytes;
    }

    private delegate void MessagePackAction(ref MessagePackWriter writer);
}
