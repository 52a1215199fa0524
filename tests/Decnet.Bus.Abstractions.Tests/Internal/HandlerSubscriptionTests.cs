using System.Threading.Channels;
using Decnet.Bus.Abstractions.Tests.TestDoubles;
using Decnet.Bus.Internal;

namespace Decnet.Bus.Abstractions.Tests.Internal;

/// <summary>
/// The handler queue's drop-oldest accounting and buffer reuse, the default handler subscription every other
/// <see cref="IBus"/> gets, and NullBus's handler subscription.
/// </summary>
public sealed class HandlerSubscriptionTests
{
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task TheLoopTakesAtMostAQuarterOfTheQueueAtATime_InOrder()
    {
        var loop = new DeliveryLoop(logger: null);
        await loop.DisposeAsync(); // stopped: this test takes the events itself
        await using var subscription = new HandlerSubscription("a.>", 16, (_, _) => ValueTask.CompletedTask, loop, null, null);
        for (var i = 0; i < 16; i++)
        {
            Assert.True(subscription.AppendCopy("a.b", "t", "0123456789abcdef0123456789abcdef"u8, i, null, [0x81, 0xa1, 0x6e, (byte)i]));
        }

        var deliveries = new BusDelivery[DeliveryLoop.Turn];
        var spares = new byte[]?[DeliveryLoop.Turn];
        var timestamps = new List<double>();
        var drains = new List<bool>();
        for (var turn = 0; turn < 4; turn++)
        {
            // Events in the loop's hands are out of the queue: a quarter at most keeps them and the rest within its bound.
            Assert.Equal(4, subscription.TakeMany(deliveries, spares, out var drained));
            drains.Add(drained);
            timestamps.AddRange(deliveries.Take(4).Select(d => d.Timestamp));
        }

        // The take that empties the ring says so (the loop then stops scheduling it); an empty ring gives nothing.
        Assert.Equal([false, false, false, true], drains);
        Assert.Equal(0, subscription.TakeMany(deliveries, spares, out var empty));
        Assert.True(empty);
        Assert.Equal(Enumerable.Range(0, 16).Select(i => (double)i), timestamps);
        Assert.Equal(0, subscription.Dropped);
    }

    [Fact]
    public async Task FullRing_DropsOldest_CountsExactly_AndReportsTheLossOnTheNextTakenEvent()
    {
        var loop = new DeliveryLoop(logger: null);
        await loop.DisposeAsync(); // stopped: this test takes the events itself
        await using var subscription = new HandlerSubscription("a.>", 4, (_, _) => ValueTask.CompletedTask, loop, null, null);
        for (var i = 0; i < 10; i++)
        {
            Assert.True(subscription.AppendCopy("a.b", "t", "0123456789abcdef0123456789abcdef"u8, i, null, [0x81, 0xa1, 0x6e, (byte)i]));
        }

        subscription.AddLostBeforeNext(3);
        Assert.True(subscription.AppendCopy("a.b", "t", "0123456789abcdef0123456789abcdef"u8, 10, null, [0x81, 0xa1, 0x6e, 10]));
        subscription.Wake();

        byte[]? spare = null;
        var taken = new List<(double Ts, long Missed, byte Last)>();
        while (subscription.TryTake(ref spare, out var delivery))
        {
            taken.Add((delivery.Timestamp, delivery.MissedBefore, delivery.Payload.Span[^1]));
            Assert.Equal("0123456789abcdef0123456789abcdef", delivery.Id);
        }

        Assert.Equal(11, subscription.Received);
        Assert.Equal(7, subscription.Dropped);
        Assert.Equal([7.0, 8, 9, 10], taken.Select(t => t.Ts));
        Assert.Equal([7L, 0, 0, 3], taken.Select(t => t.Missed));
        Assert.Equal([7, 8, 9, 10], taken.Select(t => (int)t.Last));
    }

    [Fact]
    public async Task DefaultImplementation_ReadsTheEnumerableSubscription_AndCountsFailures()
    {
        IBus bus = new RecordingBus();
        var seen = Channel.CreateUnbounded<string>();
        await using var subscription = await bus.SubscribeAsync("a.>", (delivery, _) =>
        {
            seen.Writer.TryWrite(delivery.Topic);
            return delivery.Topic == "a.fail" ? throw new InvalidOperationException("under test") : ValueTask.CompletedTask;
        });

        await bus.PublishAsync("a.fail", new { n = 1 });
        await bus.PublishAsync("a.ok", new { n = 2 });

        using var timeout = new CancellationTokenSource(_bound);
        Assert.Equal("a.fail", await seen.Reader.ReadAsync(timeout.Token));
        Assert.Equal("a.ok", await seen.Reader.ReadAsync(timeout.Token));
        Assert.Equal(1, subscription.Failed);
        Assert.Equal(2, subscription.Received);
    }

    [Fact]
    public async Task DefaultImplementation_PassesTheOptionsOn_WithoutInlineDelivery()
    {
        // Its loop reads the enumerable: resumed on a transport's receive thread, its handler could block that thread
        // with no token a bus's dispose cancels, which the transports' own inline handlers have.
        var bus = new RecordingBus();
        await using var subscription = await ((IBus)bus).SubscribeAsync("a.>", (_, _) => ValueTask.CompletedTask, new SubscriptionOptions { QueueSize = 7, InlineDelivery = true });

        Assert.Equal(new SubscriptionOptions { QueueSize = 7 }, bus.LastSubscriptionOptions);
    }

    [Fact]
    public async Task DefaultImplementation_DisposedTwice_DoesNotThrow()
    {
        IBus bus = new RecordingBus();
        var subscription = await bus.SubscribeAsync("a.>", (_, _) => ValueTask.CompletedTask);

        await subscription.DisposeAsync();
        await subscription.DisposeAsync();
    }

    [Fact]
    public async Task DefaultImplementation_ThrowingTokenCallback_DisposeDoesNotThrow_AndCountsAFailure()
    {
        IBus bus = new RecordingBus();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var subscription = await bus.SubscribeAsync("a.>", async (_, ct) =>
        {
            ct.Register(static () => throw new InvalidOperationException("under test"));
            entered.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
        });
        await bus.PublishAsync("a.b", new { n = 1 });
        await entered.Task.WaitAsync(_bound);

        await subscription.DisposeAsync().AsTask().WaitAsync(_bound);

        Assert.Equal(1, subscription.Failed);
    }

    [Fact]
    public async Task DefaultImplementation_DisposedFromItsOwnHandler_Returns()
    {
        // Its DisposeAsync awaited the task that runs the handler, which awaited that DisposeAsync: it never returned.
        IBus bus = new RecordingBus();
        var self = new TaskCompletionSource<IBusHandlerSubscription>(TaskCreationOptions.RunContinuationsAsynchronously);
        var disposed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var subscription = await bus.SubscribeAsync("a.>", async (_, _) =>
        {
            await (await self.Task).DisposeAsync();
            disposed.TrySetResult();
        });
        self.SetResult(subscription);

        await bus.PublishAsync("a.b", new { n = 1 });

        await disposed.Task.WaitAsync(_bound);
        await subscription.DisposeAsync().AsTask().WaitAsync(_bound);
    }

    [Fact]
    public async Task NullBus_HandlerSubscription_IsAlreadyDisposed_AndNeverCalled()
    {
        await using var bus = new NullBus();
        var calls = 0;
        await using var subscription = await bus.SubscribeAsync("a.>", _ => calls++);
        await bus.PublishAsync("a.b", new { n = 1 });
        Assert.Equal(0, subscription.Received);
        Assert.Equal(0, calls);
        await bus.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await bus.SubscribeAsync("a.>", _ => calls++));
    }
}
