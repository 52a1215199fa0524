using Decnet.Bus.Internal;
using Microsoft.Extensions.Time.Testing;

namespace Decnet.Bus.Abstractions.Tests.Internal;

/// <summary>
/// Disposing the delivery loop waits for a handler call in progress (docs/dotnet-hosts.md: at most 5 s): it stays
/// pending while the call runs after its token is cancelled, returns when the call does, and gives up on a call that
/// ignores its token once <see cref="DeliveryLoop.StopBound"/> has passed on the loop's clock (a fake one here).
/// </summary>
public sealed class DeliveryLoopDisposalTests
{
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task LoopDisposal_WithAHandlerThatIgnoresItsToken_WaitsForIt_UntilItsBound()
    {
        var time = new FakeTimeProvider();
        var loop = new DeliveryLoop(logger: null, resumer: null, time);
        var handler = new BlockedHandler();
        await using var subscription = await handler.StartAsync(loop);

        try
        {
            await subscription.DisposeAsync();
            var disposing = loop.DisposeAsync().AsTask();
            await handler.Cancelled.WaitAsync(_bound);

            Assert.False(disposing.IsCompleted, "the loop's disposal returned while its handler still ran");
            time.Advance(DeliveryLoop.StopBound - TimeSpan.FromTicks(1));
            Assert.False(disposing.IsCompleted, "the loop's disposal returned before its bound");
            time.Advance(TimeSpan.FromTicks(1));
            await disposing.WaitAsync(_bound);
        }
        finally
        {
            handler.Finish();
        }
    }

    [Fact]
    public async Task LoopDisposal_WithAHandlerThatFinishesAfterItsToken_ReturnsWhenItDoes()
    {
        var time = new FakeTimeProvider();
        var loop = new DeliveryLoop(logger: null, resumer: null, time);
        var handler = new BlockedHandler();
        await using var subscription = await handler.StartAsync(loop);

        await subscription.DisposeAsync();
        var disposing = loop.DisposeAsync().AsTask();
        await handler.Cancelled.WaitAsync(_bound);

        Assert.False(disposing.IsCompleted, "the loop's disposal returned while its handler still ran");
        handler.Finish();
        // The fake clock never moves: only the handler's return can end the wait.
        await disposing.WaitAsync(_bound);
    }

    /// <summary>A handler that, once called, notes its token's cancellation and returns only when told to.</summary>
    private sealed class BlockedHandler
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _cancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _finish = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Cancelled => _cancelled.Task;

        public void Finish() => _finish.TrySetResult();

        /// <summary>
        /// Subscribes on <paramref name="loop"/>, delivers one event and waits until the handler runs.
        /// </summary>
        public async Task<HandlerSubscription> StartAsync(DeliveryLoop loop)
        {
            var subscription = new HandlerSubscription("a.>", 4, HandleAsync, loop, null, null);
            Assert.True(subscription.TryDeliver(new BusEvent("a.b", new byte[] { 0x80 }, null, null, 1)));
            await _entered.Task.WaitAsync(_bound);
            return subscription;
        }

        private async ValueTask HandleAsync(BusDelivery delivery, CancellationToken cancellationToken)
        {
            using var registration = cancellationToken.Register(() => _cancelled.TrySetResult());
            _entered.TrySetResult();
            await _finish.Task.ConfigureAwait(false); // ignores its token
        }
    }
}
