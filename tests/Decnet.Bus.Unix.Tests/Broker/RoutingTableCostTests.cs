using System.Net.Sockets;
using Decnet.Bus.Unix.Broker.Internal;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;
using Decnet.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Decnet.Bus.Unix.Tests.Broker;

/// <summary>
/// What a subscription costs the routing table (docs/reliability.md §2): a deep wildcard pattern took ~20 KB (a
/// ConcurrentDictionary per trie node), and subscriptions sharing one pattern copied that pattern's every route on each
/// add and remove, quadratic work under the routing lock.
/// </summary>
public sealed class RoutingTableCostTests : IDisposable
{
    private readonly BrokerHub _hub = new(BrokerLimits.From(new DecnetBusOptions()), TimeProvider.System);
    private readonly List<Socket> _sockets = [];

    public void Dispose()
    {
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }
    }

    [Fact]
    public void ADeepWildcardSubscription_AllocatesAFewKilobytes()
    {
        const int count = 256;
        var connection = Connection(1);
        var patterns = Enumerable.Range(0, count)
            .Select(i => $"c0x{i}." + string.Join('.', Enumerable.Repeat("a", 30)) + ".>")
            .ToArray();

        var bytes = LeastAllocated.Of(() =>
        {
            var table = new RoutingTable();
            for (var i = 0; i < count; i++)
            {
                table.Add(patterns[i], new Route(connection, (uint)i));
            }

            GC.KeepAlive(table);
        });

        // ~20,300 bytes per 32-token subscription before.
        Assert.InRange(bytes / count, 0, 5_000);
    }

    [Fact]
    public void RoutesSharingAPattern_CopyOneConnectionsEntryPerChange()
    {
        const int connections = 32, perConnection = 256;
        var table = new RoutingTable();
        var owners = Enumerable.Range(1, connections).Select(Connection).ToArray();
        for (var sid = 0u; sid < perConnection; sid++)
        {
            foreach (var owner in owners)
            {
                table.Add("x", new Route(owner, sid));
            }
        }

        var built = table.CopiedRoutes;
        foreach (var sid in Enumerable.Range(0, perConnection))
        {
            table.Remove("x", new Route(owners[0], (uint)sid));
        }

        var removed = table.CopiedRoutes - built;

        // Each change copies at most the changed connection's routes on the pattern and the pattern's connection list.
        // Before: every route of the pattern, 33,550,336 to build and 2,064,512 for one connection's removals.
        Assert.InRange(built, 0, connections * perConnection * (perConnection + connections));
        Assert.InRange(removed, 0, perConnection * (perConnection + connections));
        var results = new List<Route>();
        table.Match("x", results);
        Assert.Equal((connections - 1) * perConnection, results.Count);
        Assert.DoesNotContain(results, r => r.Connection == owners[0]);
    }

    [Fact]
    public void ASub_WaitsForTheRoutingLockHoldingNoQueueLock()
    {
        var subscriber = Connection(1);
        var heldWhileWaiting = new List<bool>();
        _hub.Routes.BeforeWriteLock = () => heldWhileWaiting.Add(subscriber.Outbound.LockHeldByCurrentThread);
        var book = new SubscriptionBook(_hub, subscriber);

        Assert.Null(book.Set(1, "x", FrameBytes.Of(b => FrameWriter.WriteSubAck(b, 1))));
        Assert.Null(book.Set(1, "y.>", FrameBytes.Of(b => FrameWriter.WriteSubAck(b, 1)))); // replaces: a remove, an add

        // Publishers delivering to the subscriber take its queue lock: held here, they would wait for every change
        // queued on the routing lock before this one (988 ms for one PUB behind 1,024 removals).
        Assert.Equal([false, false, false], heldWhileWaiting);
    }

    [Fact]
    public void TheGenerationMoves_BeforeTheActionThatQueuesTheSubAckReturns()
    {
        // The SUBACK is queued right after the route goes in (BrokerHub.AddRoute): a publisher whose route cache still
        // holds the old generation would otherwise miss a subscriber that has already read its SUBACK, uncounted.
        var table = new RoutingTable();
        var before = table.Generation;
        var atSubAck = -1L;

        table.Add("gen.x", new Route(Connection(1), 1), add =>
        {
            add();
            atSubAck = table.Generation;
        });

        Assert.Equal(before + 1, atSubAck);
    }

    private BrokerConnection Connection(int id)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _sockets.Add(socket);
        return new BrokerConnection(id, socket, new PeerCredentials(id, 1000, 1000), _hub, NullLogger.Instance, TimeProvider.System);
    }
}
