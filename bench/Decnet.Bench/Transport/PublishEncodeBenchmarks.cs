using BenchmarkDotNet.Attributes;
using Decnet.Bus;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bench.Transport;

/// <summary>Client publish path: encoding one PUB frame (what UnixSocketBus.PublishAsync does before queueing bytes).</summary>
[MemoryDiagnoser]
public class PublishEncodeBenchmarks
{
    private readonly PooledBufferWriter _buffer = new(512);
    private readonly SamplePayload _payload = new();
    private readonly string _id = EventId.NewId();

    /// <summary>Frame encoding alone, with an id made beforehand.</summary>
    [Benchmark(Baseline = true)]
    public int EncodePub()
    {
        _buffer.Reset();
        FrameWriter.WritePub(_buffer, WireSamples.Topic, "observed", _id, 1_763_900_000.123, _payload);
        return _buffer.WrittenCount;
    }

    /// <summary>As PublishAsync does it: a fresh event id, written as UTF-8 in place, and a timestamp per event.</summary>
    [Benchmark]
    public int EncodePubWithNewId()
    {
        _buffer.Reset();
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        FrameWriter.WritePubWithNewId(_buffer, WireSamples.Topic, "observed", timestamp, _payload);
        return _buffer.WrittenCount;
    }

    /// <summary>The same through the id string (<see cref="EventId.NewId"/>), as a caller holding its own id would.</summary>
    [Benchmark]
    public int EncodePubWithIdString()
    {
        _buffer.Reset();
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        FrameWriter.WritePub(_buffer, WireSamples.Topic, "observed", EventId.NewId(), timestamp, _payload);
        return _buffer.WrittenCount;
    }
}
