using System.Globalization;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using Decnet.Bus;
using Decnet.Bus.Unix.Broker.Internal;
using Microsoft.Extensions.Logging.Abstractions;

namespace Decnet.Bench.Transport;

/// <summary>The broker's subscription index (<see cref="RoutingTable.Match"/>) with few and with 10,000 subscriptions.</summary>
[MemoryDiagnoser]
public class RoutingMatchBenchmarks
{
    private readonly List<Route> _results = [];
    private RoutingTable _table = null!;
    private Socket _socket = null!;

    [Params(1, 10_000)]
    public int Literals { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var hub = new BrokerHub(BrokerLimits.From(new DecnetBusOptions()), TimeProvider.System);
        _socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        var connection = new BrokerConnection(1, _socket, new PeerCredentials(1, 1000, 1000), hub, NullLogger.Instance, TimeProvider.System);
        _table = new RoutingTable();
        for (var i = 0; i < Literals; i++)
        {
            _table.Add(string.Create(CultureInfo.InvariantCulture, $"bench.t{i}"), new Route(connection, (uint)i + 1));
        }

        _table.Add("bench.*.idle", new Route(connection, uint.MaxValue));
        _table.Add("topology.>", new Route(connection, uint.MaxValue - 1));
    }

    [GlobalCleanup]
    public void Cleanup() => _socket.Dispose();

    /// <summary>A literal hit (the W4 case).</summary>
    [Benchmark(Baseline = true)]
    public int MatchLiteral()
    {
        _results.Clear();
        _table.Match("bench.t0", _results);
        return _results.Count;
    }

    /// <summary>A topic only a trailing wildcard matches.</summary>
    [Benchmark]
    public int MatchWildcard()
    {
        _results.Clear();
        _table.Match("topology.abc.status", _results);
        return _results.Count;
    }
}
