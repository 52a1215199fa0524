using System.Buffers;
using Decnet.Bus;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bench.Transport;

/// <summary>Real encoded frames for the parse and route benchmarks, made by the transport's own writer.</summary>
internal static class WireSamples
{
    public const string Topic = "attacker.observed";

    public static byte[] PubFrame(string topic = Topic)
    {
        using var buffer = new PooledBufferWriter(512);
        FrameWriter.WritePub(buffer, topic, "observed", EventId.NewId(), 1_763_900_000.123, new SamplePayload());
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The PUB frame's topic and tail as the broker sees them after <see cref="FrameReader.TryParse"/>.</summary>
    public static (ReadOnlySequence<byte> Topic, ReadOnlySequence<byte> Tail) Parsed(byte[] frame)
    {
        var sequence = new ReadOnlySequence<byte>(frame);
        if (!FrameReader.TryParse(ref sequence, ProtocolConstants.MinMaxFrame * 16, out var parsed) || parsed.Kind != FrameKind.Pub)
        {
            throw new InvalidOperationException("The sample PUB frame did not parse.");
        }

        return (parsed.Topic, parsed.Tail);
    }
}
