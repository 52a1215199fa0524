using Decnet.Bus.Unix.Broker.Internal;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Tests.Broker;

/// <summary>
/// A connection's control lane (docs/wire-protocol.md, "Control replies" and "Ordering"): bounded by count and bytes
/// with ERR 9, barrier frames wait for the events queued before them, one STATS snapshot is held however many ask.
/// </summary>
public sealed class ControlLaneTests
{
    [Fact]
    public void PastItsCountOrByteBound_TheLaneRefusesWithSlowConsumer()
    {
        var byCount = new ControlLane(maxFrames: 2, maxBytes: 1000);
        byCount.Enqueue(new byte[10], 0);
        byCount.Enqueue(new byte[10], 0);
        Assert.Equal(BusErrorCode.SlowConsumer, Assert.Throws<ProtocolException>(() => byCount.Enqueue(new byte[10], 0)).Code);

        var byBytes = new ControlLane(maxFrames: 100, maxBytes: 25);
        byBytes.Enqueue(new byte[20], 0);
        Assert.Equal(BusErrorCode.SlowConsumer, Assert.Throws<ProtocolException>(() => byBytes.Enqueue(new byte[10], 0)).Code);
        Assert.False(byBytes.HasRoomForRefusal(1));
    }

    [Fact]
    public void HasRoom_SaysBeforehandWhatEnqueueWouldRefuse()
    {
        // The idle sweep asks instead of catching ERR 9: it runs on a timer thread, where a throw would end the broker.
        var lane = new ControlLane(maxFrames: 2, maxBytes: 25);
        Assert.True(lane.HasRoom(20));
        lane.Enqueue(new byte[20], 0);
        Assert.False(lane.HasRoom(6));
        Assert.True(lane.HasRoom(5));
        lane.Enqueue(new byte[5], 0);
        Assert.False(lane.HasRoom(0));
        Assert.Equal(BusErrorCode.SlowConsumer, Assert.Throws<ProtocolException>(() => lane.Enqueue([], 0)).Code);
    }

    [Fact]
    public void ABarrierFrame_WaitsForTheEventsQueuedBeforeIt()
    {
        var lane = new ControlLane(10, 1000);
        lane.Enqueue([1], after: 0);
        lane.Enqueue([2], after: 3);
        using var batch = new PooledBufferWriter();

        lane.TakeInto(batch, eventsOut: 1, maxBatchBytes: 1000);
        Assert.Equal([1], batch.WrittenSpan.ToArray());
        Assert.Equal(2, lane.EventsBeforeNext(eventsOut: 1));

        lane.TakeInto(batch, eventsOut: 3, maxBatchBytes: 1000);
        Assert.Equal([1, 2], batch.WrittenSpan.ToArray());
        Assert.Equal(long.MaxValue, lane.EventsBeforeNext(eventsOut: 3));
    }

    [Fact]
    public void StatsReplies_ShareOneSnapshot_UntilTheLastIsWritten_AndAreNotChargedAgainstTheBytes()
    {
        var lane = new ControlLane(10, maxBytes: 4);
        var snapshot = new byte[100];
        lane.EnqueueStats(snapshot, 0);
        lane.EnqueueStats(snapshot, 0);
        Assert.Same(snapshot, lane.StatsInFlight);
        lane.Enqueue(new byte[4], 0); // the byte bound holds only charged frames

        using var batch = new PooledBufferWriter();
        lane.TakeInto(batch, 0, maxBatchBytes: 50);
        Assert.Same(snapshot, lane.StatsInFlight); // the batch filled after the first copy; one is still queued
        lane.TakeInto(batch, 0, maxBatchBytes: 1000);
        Assert.Null(lane.StatsInFlight);
        Assert.Equal(0, lane.Count);
    }
}
