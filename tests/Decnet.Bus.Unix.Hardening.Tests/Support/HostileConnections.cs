using System.Buffers.Binary;
using System.Globalization;
using System.Net.Sockets;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Hardening.Tests.Support;

/// <summary>
/// The hostile connection mix (issue 6 point 1): ten kinds of misbehaving peer, 64 at a time, each reading until the
/// broker closes it. Used against the in-process broker and against <c>decnet bus</c> in its own process, so both
/// see the same bytes for the same seed. The generators assume the broker limits below.
/// </summary>
internal static class HostileConnections
{
    /// <summary>CI runs this many; scripts/fuzz.sh raises it with DECNET_FUZZ_CONNECTIONS.</summary>
    public const int DefaultConnections = 1500;
    public const int Parallelism = 64;
    public const int MaxConnections = 4096;
    public const int MaxSubscriptions = 64;
    public const int MaxFrameBytes = 64 * 1024;

    /// <summary>Short enough that the silent kinds are closed quickly, long enough for a loaded box to send HELLO.</summary>
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromMilliseconds(300);
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(2);

    public static readonly string[] Kinds =
    [
        "garbage", "half-hello-silence", "hello-half-pub-silence", "huge-length", "hello-garbage", "sub-flood", "silence",
        "hello-deep-payload", "hello-huge-length", "hello-bad-topic",

        // The Python bus's text protocol (docs/text-protocol.md): each is closed without a reply, counted once.
        "text-bad-verb", "text-long-header", "text-huge-length", "text-bad-json", "text-deep-json", "text-evt",
        "text-half-header-silence", "text-half-frame-silence",
    ];

    /// <summary>The connection count from DECNET_FUZZ_CONNECTIONS, else <see cref="DefaultConnections"/>.</summary>
    public static int Count() => FuzzInputs.Iterations("DECNET_FUZZ_CONNECTIONS", DefaultConnections);

    /// <summary>Applies the limits the generators assume to an in-process broker's options.</summary>
    public static void Configure(DecnetBusOptions options)
    {
        options.MaxConnections = MaxConnections;
        options.MaxSubscriptionsPerConnection = MaxSubscriptions;
        options.MaxFrameBytes = MaxFrameBytes;
        options.HandshakeTimeout = HandshakeTimeout;
        options.IdleTimeout = IdleTimeout;
    }

    /// <summary>The same limits as DECNET_BUS_* variables, for <c>decnet bus</c> in its own process.</summary>
    public static Dictionary<string, string> Environment() => new(StringComparer.Ordinal)
    {
        [DecnetBusVariables.MaxConnections] = MaxConnections.ToString(CultureInfo.InvariantCulture),
        [DecnetBusVariables.MaxSubscriptions] = MaxSubscriptions.ToString(CultureInfo.InvariantCulture),
        [DecnetBusVariables.MaxFrameBytes] = MaxFrameBytes.ToString(CultureInfo.InvariantCulture),
        [DecnetBusVariables.HandshakeTimeoutSeconds] = HandshakeTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture),
        [DecnetBusVariables.IdleTimeoutSeconds] = IdleTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// Plays <paramref name="total"/> hostile peers against the broker at <paramref name="path"/>, <see cref="Parallelism"/>
    /// at a time; each returns once the broker has closed it. Returns, per kind, [ERR then close, bare close].
    /// </summary>
    public static async Task<Dictionary<string, int[]>> RunAsync(string path, int total, int seed)
    {
        var outcomes = new Dictionary<string, int[]>(StringComparer.Ordinal);
        await Parallel.ForAsync(0, total, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (i, _) =>
        {
            var random = new Random(HashCode.Combine(seed, i));
            var kind = Kinds[i % Kinds.Length];
            var error = await RunOneAsync(path, kind, random);
            lock (outcomes)
            {
                var counts = outcomes.TryGetValue(kind, out var c) ? c : outcomes[kind] = new int[2];
                counts[error is null ? 1 : 0]++;
            }
        });
        return outcomes;
    }

    /// <summary>Plays one hostile peer, then reads until the broker closes. Returns the ERR code, or null for a bare close.</summary>
    private static async Task<BusErrorCode?> RunOneAsync(string path, string kind, Random random)
    {
        await using var peer = new RawPeer();
        await peer.Socket.ConnectAsync(new UnixDomainSocketEndPoint(path));
        try
        {
            await peer.SendAsync(Bytes(kind, random));
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.Shutdown or SocketError.ConnectionAborted)
        {
            // The broker closed while a flood was still being written: that is the close we wait for.
            return null;
        }

        // A peer that then stays silent simply waits: the broker's handshake or idle timeout ends it.
        try
        {
            return await peer.ReadUntilClosedAsync(LiveBroker.Bound);
        }
        catch (OperationCanceledException ex)
        {
            // Which kind the broker left open is what a failure must say (one CI run saw an unnamed one).
            throw new TimeoutException($"the broker did not close a \"{kind}\" peer within {LiveBroker.Bound.TotalSeconds:0} s", ex);
        }
    }

    private static byte[] Bytes(string kind, Random random)
    {
        var hello = RawPeer.Hello();
        var pub = FrameBytes.Of(b => FrameWriter.WritePubRaw(b, "a.b", "t", "0123456789abcdef0123456789abcdef", 1.0, [0x80]));
        switch (kind)
        {
            case "garbage":
                var garbage = new byte[random.Next(1, 200)];
                random.NextBytes(garbage);
                return garbage;
            case "half-hello-silence":
                return hello[..random.Next(1, hello.Length)];
            case "hello-half-pub-silence":
                return [.. hello, .. pub[..random.Next(1, pub.Length)]];
            case "huge-length":
                var huge = new byte[4];
                BinaryPrimitives.WriteUInt32BigEndian(huge, (uint)random.NextInt64(MaxFrameBytes + 1, uint.MaxValue));
                return huge;
            case "hello-garbage":
                var tail = new byte[random.Next(5, 100)];
                random.NextBytes(tail);
                BinaryPrimitives.WriteUInt32BigEndian(tail, (uint)(tail.Length - 4)); // a complete frame of garbage
                return [.. hello, .. tail];
            case "sub-flood":
                var flood = new List<byte>(hello);
                for (var sid = 0u; sid < 2000; sid++)
                {
                    flood.AddRange(FrameBytes.Of(b => FrameWriter.WriteSub(b, sid, "flood.*.>")));
                }

                return [.. flood];
            case "silence":
                return [];
            case "hello-deep-payload":
                var depth = random.Next(65, 60_000);
                var deep = new byte[pub.Length + 2 + depth];
                pub.AsSpan(0, pub.Length - 1).CopyTo(deep);
                deep[pub.Length - 1] = 0x81;
                deep[pub.Length] = 0xa1; // key "k": payload keys must be strings
                deep[pub.Length + 1] = 0x6b;
                deep.AsSpan(pub.Length + 2, depth - 1).Fill(0x91);
                deep[^1] = 0xc0;
                BinaryPrimitives.WriteUInt32BigEndian(deep, (uint)(deep.Length - 4));
                return [.. hello, .. deep];
            case "hello-huge-length":
                return [.. hello, 0xff, 0xff, 0xff, 0xff];
            case "text-bad-verb":
                return Text("FOO a.b\n\0\0\0\0");
            case "text-long-header":
                return Text("PUB " + new string('a', random.Next(4096, 8000)));
            case "text-huge-length":
                var claim = new byte[4];
                BinaryPrimitives.WriteUInt32BigEndian(claim, (uint)random.NextInt64((1024 * 1024) + 1, uint.MaxValue));
                return [.. Text("PUB a.b\n"), .. claim];
            case "text-bad-json":
                // Random bytes after '[': an array or not JSON at all, never the object a PUB body must be.
                var json = new byte[random.Next(2, 200)];
                random.NextBytes(json);
                json[0] = (byte)'[';
                return [.. TextHello, .. TextFrame("PUB a.b", json)];
            case "text-deep-json":
                var levels = random.Next(1100, 60_000);
                return [.. TextHello, .. TextFrame("PUB a.b", Text("{\"payload\":" + new string('[', levels) + new string(']', levels) + "}"))];
            case "text-evt":
                return [.. TextHello, .. Text("EVT a.b\n\0\0\0\0")];
            case "text-half-header-silence":
                return Text("HELLO hostile"[..random.Next(1, 13)]);
            case "text-half-frame-silence":
                return [.. TextHello, .. Text("PUB a.b\n\0\0\0\x05{}")];
            default:
                return [.. hello, .. FrameBytes.Of(b => FrameWriter.WritePubRaw(b, "bad..topic", "t", "x", 1.0, [0x80]))];
        }
    }

    private static byte[] TextHello => Text("HELLO hostile\n\0\0\0\0");

    private static byte[] Text(string latin1) => System.Text.Encoding.Latin1.GetBytes(latin1);

    private static byte[] TextFrame(string header, byte[] body)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)body.Length);
        return [.. Text(header + "\n"), .. length, .. body];
    }
}
