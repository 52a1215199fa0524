using System.Diagnostics;

namespace Decnet.Bus.Conformance;

/// <summary>
/// Disposal from where a consumer stands: a bus disposed from inside one of its own handlers returns without waiting
/// on that handler (DeliveryLoop.StopBound would make it take 5 s), and a read left waiting on an enumerator that is
/// then disposed completes instead of hanging forever.
/// </summary>
public abstract partial class BusConformanceTests
{
    // Not yet with InlineDelivery: the Unix transport's DisposeAsync, called on its receive thread, still waits for
    // that thread (DeliveryLoop.StopBound); FakeBus and NATS deliver on their loop either way.
    [Fact]
    public async Task BusDispose_FromInsideOneOfItsHandlers_ReturnsWellWithinTheHandlerBound()
    {
        var publisher = await NewBusAsync();
        var subscriber = await NewBusAsync();
        var disposed = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscription = await subscriber.SubscribeAsync(
            T("dfh.bus"),
            async (_, _) =>
            {
                var watch = Stopwatch.StartNew();
                try
                {
                    await subscriber.DisposeAsync();
                    disposed.TrySetResult(watch.Elapsed);
                }
                catch (Exception ex)
                {
                    disposed.TrySetException(ex);
                }
            });

        await publisher.PublishAsync(T("dfh.bus"), new { n = 1 });

        var elapsed = await disposed.Task.WaitAsync(Bound);
        Assert.True(elapsed < _promptDisposal, $"the bus's DisposeAsync, called from its handler, took {elapsed.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public async Task EnumeratorDispose_CompletesItsWaitingRead()
    {
        var bus = await NewBusAsync();
        var subscription = await bus.SubscribeAsync(T("dfh.enum"));
        var (moveNext, enumerator) = StartPendingRead(subscription);
        Assert.False(moveNext.IsCompleted);

        await enumerator.DisposeAsync();
        await subscription.DisposeAsync();
        await bus.DisposeAsync();

        // A TimeoutException here: the read never completed.
        Assert.False(await moveNext.WaitAsync(Bound));
    }
}
