using System.Buffers;
using BenchmarkDotNet.Attributes;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bench.Transport;

/// <summary>Broker receive path: <see cref="FrameReader.TryParse"/> over a buffer of back-to-back PUB frames.</summary>
[MemoryDiagnoser]
public class FrameParseBenchmarks
{
    private const int _frames = 64;

    private byte[] _buffer = [];

    [GlobalSetup]
    public void Setup()
    {
        var frame = WireSamples.PubFrame();
        _buffer = new byte[frame.Length * _frames];
        for (var i = 0; i < _frames; i++)
        {
            frame.CopyTo(_buffer, i * frame.Length);
        }
    }

    /// <summary>Parses 64 frames; per-frame cost is the reported figure divided by 64.</summary>
    [Benchmark(OperationsPerInvoke = _frames)]
    public int ParsePub()
    {
        var sequence = new ReadOnlySequence<byte>(_buffer);
        var parsed = 0;
        while (FrameReader.TryParse(ref sequence, 1024 * 1024, out var frame))
        {
            parsed += (int)frame.Kind;
        }

        return parsed;
    }
}
