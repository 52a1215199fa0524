using Decnet.Bus.Internal;

namespace Decnet.Bus.Abstractions.Tests.Internal;

/// <summary>
/// A transport's run of appends under one hold of a queue's lock (docs/performance-history-2.md, part 11) drops and
/// counts exactly as single appends do, and wakes the consumer once, when the run ends.
/// </summary>
public sealed class HeldAppendTests
{
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task EnumerableQueue_ARunPastItsBound_DropsTheOldestExactly_AndWakesTheParkedReaderWhenItEnds()
    {
        await using var subscription = new ChannelSubscription("a.>", 4, null, null);
        await using var reader = subscription.GetAsyncEnumerator();
        var first = reader.MoveNextAsync(); // parks: nothing is queued yet

        var appended = 0;
        bool wokenWhileHeld;
        subscription.BeginAppends();
        try
        {
            for (var i = 0; i < 10; i++)
            {
                appended += subscription.AppendHeld(new BusEvent($"a.e{i}", new byte[] { 0x80 }, null, null, i)) ? 1 : 0;
            }

            wokenWhileHeld = first.IsCompleted;
        }
        finally
        {
            subscription.EndAppends();
        }

        // Held appends wake no one: the reader waited while the run held the lock.
        Assert.Equal(10, appended);
        Assert.False(wokenWhileHeld);

        Assert.True(await first.AsTask().WaitAsync(_bound));
        var read = new List<BusEvent> { reader.Current };
        for (var i = 0; i < 3; i++)
        {
            Assert.True(await reader.MoveNextAsync());
            read.Add(reader.Current);
        }

        Assert.Equal(["a.e6", "a.e7", "a.e8", "a.e9"], read.Select(e => e.Topic));
        Assert.Equal([6L, 0, 0, 0], read.Select(e => e.MissedBefore));
        Assert.Equal(10, subscription.Received);
        Assert.Equal(6, subscription.Dropped);
    }

    [Fact]
    public async Task HandlerQueue_ARunPastItsBound_DropsTheOldestExactly_AndKeepsTheNewestInOrder()
    {
        var loop = new DeliveryLoop(logger: null);
        await loop.DisposeAsync(); // stopped: this test takes the events itself
        await using var subscription = new HandlerSubscription("a.>", 4, (_, _) => ValueTask.CompletedTask, loop, null, null);

        var appended = 0;
        subscription.BeginAppends();
        try
        {
            for (var i = 0; i < 10; i++)
            {
                appended += subscription.AppendCopyHeld("a.b", "t", "0123456789abcdef0123456789abcdef"u8, i, null, [0x80, (byte)i]) ? 1 : 0;
            }
        }
        finally
        {
            subscription.EndAppends();
        }

        Assert.Equal(10, appended);

        byte[]? spare = null;
        var taken = new List<(double Ts, long Missed, byte Last)>();
        while (subscription.TryTake(ref spare, out var delivery))
        {
            taken.Add((delivery.Timestamp, delivery.MissedBefore, delivery.Payload.Span[^1]));
        }

        Assert.Equal([6.0, 7, 8, 9], taken.Select(t => t.Ts));
        Assert.Equal([6L, 0, 0, 0], taken.Select(t => t.Missed));
        Assert.Equal([6, 7, 8, 9], taken.Select(t => (int)t.Last));
        Assert.Equal(10, subscription.Received);
        Assert.Equal(6, subscription.Dropped);
    }
}
