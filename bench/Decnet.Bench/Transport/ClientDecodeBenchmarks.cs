using System.Buffers;
using BenchmarkDotNet.Attributes;
using Decnet.Bus;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bench.Transport;

/// <summary>
/// Client receive path: <see cref="FrameDecoder.ReadEvent"/> turning one EVT frame (as the broker encodes it) into the
/// <see cref="BusEvent"/> a subscriber gets: the per-delivery allocations of the public API.
/// </summary>
[MemoryDiagnoser]
public class ClientDecodeBenchmarks
{
    private readonly List<uint> _sids = [];
    private ReadOnlySequence<byte> _body;

    [GlobalSetup]
    public void Setup()
    {
        var (topic, tail) = WireSamples.Parsed(WireSamples.PubFrame());
        using var suffix = new PooledBufferWriter(512);
        FrameWriter.WriteEvtSuffix(suffix, topic, new PeerCredentials(1, 1000, 1000), tail);
        using var frame = new PooledBufferWriter(512);
        FrameWriter.WriteEvtPrefix(frame, [1u], suffix.WrittenCount);
        frame.Write(suffix.WrittenSpan);
        var sequence = new ReadOnlySequence<byte>(frame.WrittenSpan.ToArray());
        if (!FrameReader.TryParse(ref sequence, 1024 * 1024, out var parsed) || parsed.Kind != FrameKind.Evt)
        {
            throw new InvalidOperationException("The sample EVT frame did not parse.");
        }

        _body = parsed.Body;
    }

    private readonly RecentStrings _topics = new();
    private readonly RecentStrings _types = new();

    /// <summary>Without the string caches: a fresh topic and type string per event (every event on a new topic).</summary>
    [Benchmark(Baseline = true)]
    public BusEvent DecodeEvt() => FrameDecoder.ReadEvent(_body, _sids);

    /// <summary>What a client's receive loop does: topic and type strings reused while they repeat.</summary>
    [Benchmark]
    public BusEvent DecodeEvtRepeatingTopic() => FrameDecoder.ReadEvent(_body, _sids, _topics, _types);
}
