using System.Buffers;
using System.Buffers.Binary;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Hardening.Tests.Support;

/// <summary>
/// Seeded generator of hostile frame bytes: random bytes, mutated and truncated valid frames, huge or lying length
/// prefixes, deeply nested payloads and wrong-typed fields. The same seed always yields the same inputs, so a failure
/// names the seed and iteration that reproduce it.
/// </summary>
internal sealed class FuzzInputs
{
    public const int MaxFrame = 64 * 1024;

    private static readonly byte[][] _valid = BuildValid();
    private readonly Random _random;
    private readonly byte[] _scratch = new byte[MaxFrame + 16];

    public FuzzInputs(int seed) => _random = new Random(seed);

    /// <summary>Which generator produced the last input (for failure messages).</summary>
    public string LastKind { get; private set; } = string.Empty;

    /// <summary>Whether the last input claims a length above <see cref="MaxFrame"/>.</summary>
    public bool LastOversized { get; private set; }

    /// <summary>Env var override for an iteration count (scripts/fuzz.sh raises them).</summary>
    public static int Iterations(string variable, int fallback)
        => int.TryParse(Environment.GetEnvironmentVariable(variable), out var n) && n > 0 ? n : fallback;

    public static int Seed() => int.TryParse(Environment.GetEnvironmentVariable("DECNET_FUZZ_SEED"), out var s) ? s : 20261123;

    /// <summary>Produces the next input; the returned span is valid until the next call.</summary>
    public ReadOnlySpan<byte> Next()
    {
        LastOversized = false;
        switch (_random.Next(9))
        {
            case 0:
                LastKind = "random-bytes";
                return RandomBytes(_random.Next(0, 48));
            case 1:
                LastKind = "bit-flips";
                return Flip(Pick());
            case 2:
                LastKind = "truncated";
                var frame = Pick();
                return frame.AsSpan(0, _random.Next(frame.Length));
            case 3:
                LastKind = "huge-length";
                return HugeLength();
            case 4:
                LastKind = "lying-length";
                return LyingLength(Pick());
            case 5:
                LastKind = "deep-nesting";
                return DeepPub(_random.Next(1, 3) == 1 ? _random.Next(60, 70) : _random.Next(100, MaxFrame / 2));
            case 6:
                LastKind = "wrong-types";
                return WrongTypes();
            case 7:
                LastKind = "random-msgpack";
                return RandomArrayBody();
            default:
                LastKind = "valid";
                return Pick();
        }
    }

    private byte[] Pick() => _valid[_random.Next(_valid.Length)];

    private ReadOnlySpan<byte> RandomBytes(int length)
    {
        var span = _scratch.AsSpan(0, length);
        _random.NextBytes(span);
        return span;
    }

    private ReadOnlySpan<byte> Flip(byte[] frame)
    {
        var span = _scratch.AsSpan(0, frame.Length);
        frame.CopyTo(span);
        var flips = _random.Next(1, 5);
        for (var i = 0; i < flips; i++)
        {
            var at = _random.Next(frame.Length);
            span[at] = _random.Next(3) == 0 ? (byte)_random.Next(256) : (byte)(span[at] ^ (1 << _random.Next(8)));
        }

        return span;
    }

    private ReadOnlySpan<byte> HugeLength()
    {
        var span = _scratch.AsSpan(0, 4 + _random.Next(0, 16));
        _random.NextBytes(span);
        var claimed = _random.Next(3) switch
        {
            0 => uint.MaxValue,
            1 => (uint)MaxFrame + 1,
            _ => (uint)_random.NextInt64(MaxFrame + 1L, uint.MaxValue),
        };
        BinaryPrimitives.WriteUInt32BigEndian(span, claimed);
        LastOversized = true;
        return span;
    }

    private ReadOnlySpan<byte> LyingLength(byte[] frame)
    {
        var span = _scratch.AsSpan(0, frame.Length);
        frame.CopyTo(span);
        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)_random.Next(0, frame.Length * 2));
        return span;
    }

    /// <summary>A PUB whose payload is a map holding <paramref name="depth"/> nested one-element arrays.</summary>
    private ReadOnlySpan<byte> DeepPub(int depth)
    {
        var prefix = FrameBytes.Of(b => FrameWriter.WritePubRaw(b, "a.b", "t", "0123456789abcdef0123456789abcdef", 1.0, [0x80]));
        var head = prefix.Length - 1; // without the empty map
        var span = _scratch.AsSpan(0, head + 2 + depth + 1);
        prefix.AsSpan(0, head).CopyTo(span);
        span[head] = 0x81; // map of one
        span[head + 1] = 0xa1; // key "k"
        span[head + 2] = (byte)'k';
        span.Slice(head + 3, depth - 1).Fill(0x91); // fixarray(1) ...
        span[head + 2 + depth] = 0xc0; // ... nil
        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)(span.Length - 4));
        return span;
    }

    /// <summary>[kind, random values...] with a right length prefix: fields of the wrong MessagePack type.</summary>
    private ReadOnlySpan<byte> WrongTypes()
    {
        var at = 4;
        var count = _random.Next(0, 9);
        _scratch[at++] = (byte)(0x90 | count);
        if (count > 0)
        {
            _scratch[at++] = (byte)_random.Next(0, 15);
            for (var i = 1; i < count; i++)
            {
                at = RandomValue(at, 2);
            }
        }

        BinaryPrimitives.WriteUInt32BigEndian(_scratch, (uint)(at - 4));
        return _scratch.AsSpan(0, at);
    }

    private ReadOnlySpan<byte> RandomArrayBody()
    {
        var at = RandomValue(4, 4);
        BinaryPrimitives.WriteUInt32BigEndian(_scratch, (uint)(at - 4));
        return _scratch.AsSpan(0, at);
    }

    /// <summary>Writes one random MessagePack value (sometimes with a lying header) at <paramref name="at"/>.</summary>
    private int RandomValue(int at, int depth)
    {
        switch (_random.Next(depth > 0 ? 10 : 7))
        {
            case 0:
                _scratch[at++] = (byte)_random.Next(0, 0x80); // positive fixint
                return at;
            case 1:
                _scratch[at++] = 0xc0; // nil
                return at;
            case 2:
                _scratch[at++] = 0xcb; // float64
                _random.NextBytes(_scratch.AsSpan(at, 8));
                return at + 8;
            case 3:
                var length = _random.Next(0, 24);
                _scratch[at++] = (byte)(0xa0 | length);
                _random.NextBytes(_scratch.AsSpan(at, length));
                return at + length;
            case 4:
                _scratch[at++] = 0xce; // uint32, possibly above int.MaxValue
                _random.NextBytes(_scratch.AsSpan(at, 4));
                return at + 4;
            case 5:
                _scratch[at++] = (byte)(0xdc + _random.Next(0, 4)); // array16/32, map16/32 with random (lying) counts
                var header = _random.Next(2, 5);
                _random.NextBytes(_scratch.AsSpan(at, header));
                return at + header;
            case 6:
                _scratch[at++] = (byte)_random.Next(0xc1, 0x100); // any marker, possibly never-used 0xc1
                return at;
            case 7:
            case 8:
                var items = _random.Next(0, 4);
                _scratch[at++] = (byte)(0x90 | items);
                for (var i = 0; i < items; i++)
                {
                    at = RandomValue(at, depth - 1);
                }

                return at;
            default:
                var pairs = _random.Next(0, 3);
                _scratch[at++] = (byte)(0x80 | pairs);
                for (var i = 0; i < pairs * 2; i++)
                {
                    at = RandomValue(at, depth - 1);
                }

                return at;
        }
    }

    private static byte[][] BuildValid()
    {
        byte[] payload = [0x82, 0xa5, (byte)'d', (byte)'e', (byte)'c', (byte)'k', (byte)'y', 0xa2, (byte)'d', (byte)'1', 0xa1, (byte)'n', 0x92, 0x01, 0xc3];
        var pub = FrameBytes.Of(b => FrameWriter.WritePubRaw(b, "decky.d1.mutation", "mutation", "0123456789abcdef0123456789abcdef", 1795000000.5, payload));
        var pubSequence = new ReadOnlySequence<byte>(pub);
        Assert.True(FrameReader.TryParse(ref pubSequence, MaxFrame, out var parsed));
        using var suffix = new PooledBufferWriter();
        FrameWriter.WriteEvtSuffix(suffix, parsed.Topic, new PeerCredentials(4243, 1000, 1000), parsed.Tail);
        var evt = FrameBytes.Of(b =>
        {
            FrameWriter.WriteEvtPrefix(b, [1, 2, 3], suffix.WrittenCount);
            b.Write(suffix.WrittenSpan);
        });
        var stats = new BrokerStats(10, 2.5, 100, 90, 10, [new BrokerConnectionStats("cli", 11, 1000, 1000, 2, 3, 4, 5, 6)]);
        return
        [
            pub,
            evt,
            FrameBytes.Of(b => FrameWriter.WriteHello(b, new HelloMessage(1, "cli-4242", true, 0, 0))),
            FrameBytes.Of(b => FrameWriter.WriteWelcome(b, new WelcomeMessage(1, 4242, 1048576, 256, 1024, 1024))),
            FrameBytes.Of(b => FrameWriter.WriteSub(b, 1, "decky.*.mutation")),
            FrameBytes.Of(b => FrameWriter.WriteSubAck(b, 7)),
            FrameBytes.Of(b => FrameWriter.WriteUnsub(b, 300)),
            FrameBytes.Of(b => FrameWriter.WriteErr(b, BusErrorCode.InvalidTopic, "invalid topic")),
            FrameBytes.Of(b => FrameWriter.WriteSimple(b, FrameKind.Ping)),
            FrameBytes.Of(b => FrameWriter.WriteSimple(b, FrameKind.Stats)),
            FrameBytes.Of(b => FrameWriter.WriteStatsReply(b, stats)),
            [.. pub, .. FrameBytes.Of(b => FrameWriter.WriteSimple(b, FrameKind.Bye))],
        ];
    }
}
