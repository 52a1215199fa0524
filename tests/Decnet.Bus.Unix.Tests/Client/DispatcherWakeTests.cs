using Decnet.Bus.Unix.Client.Internal;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// The receive loop's wake-ups of handler subscriptions on a live delivery loop, one frame at a time as
/// <see cref="EventDispatcher.Deliver(System.Buffers.ReadOnlySequence{byte})"/> queues them: each EVT is a run of its
/// own, whose end wakes the subscription (docs/performance-history.md, part 5; docs/performance-history-2.md, part
/// 11). Every event must still be handled once and counted as delivered once.
/// </summary>
public sealed class DispatcherWakeTests
{
    [Fact]
    public async Task OneEventPerSubscriptionPerRead_AsW4Sends_IsHandledAndCountedOnce()
    {
        const int Subscriptions = 500;
        const int Reads = 200;
        await using var rig = new DispatcherRig(Subscriptions);
        var bodies = Enumerable.Range(1, Subscriptions).Select(sid => HandlerAllocationTests.EvtBody((uint)sid)).ToArray();

        for (var read = 0; read < Reads; read++)
        {
            foreach (var body in bodies)
            {
                rig.Dispatcher.Deliver(body);
            }

            rig.Dispatcher.EndOfRead();
        }

        await rig.AssertAllHandledAsync(Subscriptions * Reads);
    }

    [Fact]
    public async Task ManyEventsPerSubscriptionPerRead_WhileTheLoopDrainsTheFirst_AreHandledAndCountedOnce()
    {
        const int Subscriptions = 4;
        const int Reads = 2_000;
        await using var rig = new DispatcherRig(Subscriptions);
        var bodies = Enumerable.Range(1, Subscriptions).Select(sid => HandlerAllocationTests.EvtBody((uint)sid)).ToArray();

        // 1 to 7 events per subscription per read, each woken on its own: the loop often drains one and parks before
        // the next arrives.
        for (var read = 0; read < Reads; read++)
        {
            foreach (var body in bodies)
            {
                for (var i = 0; i <= read % 7; i++)
                {
                    rig.Dispatcher.Deliver(body);
                }
            }

            rig.Dispatcher.EndOfRead();
        }

        var perRound = Enumerable.Range(0, Reads).Sum(read => (read % 7) + 1);
        await rig.AssertAllHandledAsync(Subscriptions * perRound);
    }
}
