using System.Buffers;
using System.Globalization;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using Decnet.Bus;
using Decnet.Bus.Unix.Broker.Internal;
using Microsoft.Extensions.Logging.Abstractions;

namespace Decnet.Bench.Transport;

/// <summary>
/// Broker route path: <see cref="BrokerHub.Publish"/> for the parsed PUBs of one read (topic looked up in the
/// publisher's route cache, EVT staged for each destination) and <see cref="ReadBatch.Complete"/> once per read (one
/// lock per destination, counters summed). The subscriber connection is never drained, so its queue sits full and
/// every event also exercises drop-oldest: the steady state of a slow consumer.
/// </summary>
[MemoryDiagnoser]
public class BrokerRouteBenchmarks
{
    private BrokerHub _hub = null!;
    private Socket _socket = null!;
    private ReadOnlySequence<byte> _topic;
    private ReadOnlySequence<byte> _tail;
    private PeerCredentials _credentials;
    private ReadBatch _batch = null!;

    /// <summary>0: one literal subscription; 10000: W4's shape (10,000 literals plus one wildcard).</summary>
    [Params(0, 10_000)]
    public int ExtraLiterals { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var limits = BrokerLimits.From(new DecnetBusOptions { MaxSubscriptionsPerConnection = 100_000 });
        _hub = new BrokerHub(limits, TimeProvider.System);
        _socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _credentials = new PeerCredentials(1, 1000, 1000);
        var connection = new BrokerConnection(1, _socket, _credentials, _hub, NullLogger.Instance, TimeProvider.System);
        _hub.AddRoute(WireSamples.Topic, new Route(connection, 1));
        for (var i = 0; i < ExtraLiterals; i++)
        {
            _hub.AddRoute(string.Create(CultureInfo.InvariantCulture, $"attacker.t{i}"), new Route(connection, (uint)(i + 2)));
        }

        if (ExtraLiterals > 0)
        {
            _hub.AddRoute("attacker.*.idle", new Route(connection, uint.MaxValue));
        }

        (_topic, _tail) = WireSamples.Parsed(WireSamples.PubFrame());
        _batch = new ReadBatch(_hub, null);
    }

    [GlobalCleanup]
    public void Cleanup() => _socket.Dispose();

    /// <summary>PUBs per read: about what one 64 KiB read of W1's 128-byte events holds.</summary>
    private const int _perRead = 256;

    [Benchmark(OperationsPerInvoke = _perRead)]
    public void RoutePub()
    {
        for (var i = 0; i < _perRead; i++)
        {
            _hub.Publish(_batch, null, _credentials, _topic, _tail);
        }

        _batch.Complete(drained: true); // the read was handled whole: its buffers go back to the pools, as between reads
    }
}
