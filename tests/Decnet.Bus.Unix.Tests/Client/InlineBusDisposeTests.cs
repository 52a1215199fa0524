using System.Diagnostics;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>The bus disposed from inside one of its inline handlers, on its own receive thread.</summary>
public sealed class InlineBusDisposeTests
{
    [Fact(Skip = "UnixSocketBus.DisposeAsync waits for its run, whose receive thread waits for this handler: 5 s (StopBound)")]
    public async Task BusDispose_FromInsideAnInlineHandler_ReturnsWellWithinTheHandlerBound()
    {
        await using var broker = await TestBroker.StartAsync();
        var subscriber = broker.CreateClient("sub");
        var publisher = broker.CreateClient("pub");
        var disposed = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscription = await subscriber.SubscribeAsync(
            "inline.dispose",
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
            },
            new SubscriptionOptions { InlineDelivery = true });

        await publisher.PublishAsync("inline.dispose", new { n = 1 });

        var elapsed = await disposed.Task.WaitAsync(TestBroker.Bound);
        Assert.True(elapsed < TimeSpan.FromSeconds(2), $"the bus's DisposeAsync, called from its inline handler, took {elapsed.TotalMilliseconds:F0} ms");
    }
}
