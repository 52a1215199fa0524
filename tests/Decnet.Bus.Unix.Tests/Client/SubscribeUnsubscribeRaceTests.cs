using System.Collections.Concurrent;
using Decnet.Bus.Internal;
using Decnet.Bus.Unix.Client.Internal;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// A subscription disposed while its SUB is being sent (the reconnect loop re-subscribing, the user disposing) leaves
/// no route at the broker, whichever of the two gets to the connection first.
/// </summary>
public sealed class SubscribeUnsubscribeRaceTests
{
    private const int _rounds = 10_000;

    [Fact]
    public async Task SubscribeRacingUnsubscribe_LeavesTheBrokerNoRoute()
    {
        // Room for every round's route and SUBACK: the two spinning threads may keep the client from reading SUBACKs for
        // a while, and neither the subscription bound nor the control-lane bound is what this checks.
        await using var broker = await TestBroker.StartAsync(limits: l => l with
        {
            MaxSubscriptionsPerConnection = _rounds,
            MaxControlBacklog = 2 * _rounds,
            MaxControlBytes = 64 * _rounds,
        });
        var kept = new ConcurrentDictionary<uint, ClientSubscription>();
        var outbox = new ClientOutbox(1 << 20, 1024);
        await using var connection = await ConnectAsync(broker.SocketPath, outbox, kept);
        var queues = new List<ChannelSubscription>(_rounds);
        var released = 0;
        var done = 0;

        // Thread B does what disposing a subscription does (UnixSocketBus.Unsubscribe): forget it, then UNSUB it. It
        // starts each round the moment A releases it, and a little later each round (a spin of 0 to 127 iterations), so
        // the rounds sweep B's arrival across A's whole SubscribeAsync.
        var disposer = new Thread(() =>
        {
            for (uint sid = 1; sid <= _rounds; sid++)
            {
                WaitFor(ref released, sid);
                Thread.SpinWait((int)(sid % 128));
                kept.TryRemove(sid, out _);
                connection.Unsubscribe(sid);
                Volatile.Write(ref done, (int)sid);
            }
        });
        disposer.Start();

        // Thread A (this one) does what the reconnect loop does: SUB each kept subscription.
        var acks = new List<Task<bool>>(_rounds);
        for (uint sid = 1; sid <= _rounds; sid++)
        {
            var queue = new ChannelSubscription($"race.{sid}", 1, null, null);
            queues.Add(queue);
            var subscription = new ClientSubscription(sid, $"race.{sid}", queue);
            kept[sid] = subscription;
            Volatile.Write(ref released, (int)sid);
            acks.Add(connection.SubscribeAsync(subscription));
            WaitFor(ref done, sid);
        }

        Assert.True(disposer.Join(TestBroker.Bound), "the disposing thread did not finish");
        await Task.WhenAll(acks).WaitAsync(TestBroker.Bound);

        // STATS leaves behind every SUB and UNSUB queued before it, so its reply comes once the broker has handled them.
        await connection.RequestStatsAsync().WaitAsync(TestBroker.Bound);
        var row = Assert.Single(broker.Server.GetStats().Connections, c => c.Name == "racer");
        Assert.Equal(0, row.Subscriptions);
        foreach (var queue in queues)
        {
            await queue.DisposeAsync();
        }
    }

    /// <summary>Spins (never sleeping, so the other thread's next step follows at once) until <paramref name="value"/> reaches <paramref name="round"/>.</summary>
    private static void WaitFor(ref int value, uint round)
    {
        var spin = default(SpinWait);
        while (Volatile.Read(ref value) < round)
        {
            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    private static async Task<ClientConnection> ConnectAsync(string path, ClientOutbox outbox, ConcurrentDictionary<uint, ClientSubscription> kept)
    {
        var connection = await DirectConnection.ConnectAsync(
            path,
            new HelloMessage(ProtocolConstants.Version, "racer", Echo: true, QueueSize: 16, MaxFrame: 0),
            outbox,
            sid => kept.GetValueOrDefault(sid));
        outbox.Attach(connection.Writer);
        connection.Start();
        return connection;
    }
}
