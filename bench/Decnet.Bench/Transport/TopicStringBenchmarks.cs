using System.Text;
using BenchmarkDotNet.Attributes;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bench.Transport;

/// <summary>
/// A wildcard subscriber's topic strings when its events move between topics (a correlator on <c>decky.*.mutation</c>):
/// a new string per event, and the last one kept (the client before it kept a table), against <see cref="RecentStrings"/>,
/// whose table keeps 1,024; 4,096 topics show the cost past that bound (a look-up that misses, then the decode).
/// </summary>
[MemoryDiagnoser]
public class TopicStringBenchmarks
{
    private readonly RecentStrings _recent = new();
    private byte[][] _topics = [];
    private readonly byte[] _last = new byte[RecentStrings.MaxCachedBytes];
    private int _lastLength;
    private string _lastValue = string.Empty;
    private int _next;

    /// <summary>How many topics the events move between, in turn (a power of two: the index is masked).</summary>
    [Params(64, 1024, 4096)]
    public int Topics { get; set; }

    [GlobalSetup]
    public void Setup()
        => _topics = [.. Enumerable.Range(0, Topics).Select(static i => Encoding.UTF8.GetBytes($"decky.d{i}.mutation"))];

    /// <summary>A new string per event.</summary>
    [Benchmark]
    public string Decode() => Encoding.UTF8.GetString(_topics[_next++ & (Topics - 1)]);

    /// <summary>The receive loop's strings before the table: the last one when the bytes repeat, else a new one.</summary>
    [Benchmark(Baseline = true)]
    public string LastOnly()
    {
        var utf8 = _topics[_next++ & (Topics - 1)].AsSpan();
        if (utf8.SequenceEqual(_last.AsSpan(0, _lastLength)))
        {
            return _lastValue;
        }

        _lastValue = Encoding.UTF8.GetString(utf8);
        utf8.CopyTo(_last);
        _lastLength = utf8.Length;
        return _lastValue;
    }

    /// <summary>The receive loop's strings: the last one, else the table's, else a new one.</summary>
    [Benchmark]
    public string Recent() => _recent.Get(_topics[_next++ & (Topics - 1)]);
}
