namespace Decnet.Bus.Fake.Tests.Docs;

/// <summary>The database side of the example: what the worker re-reads.</summary>
internal interface IDeckyStore
{
    Task ReloadAllAsync(CancellationToken ct);

    Task ReloadAsync(string topic, CancellationToken ct);
}

// doc-snippet: resync
// A worker that keeps a view of the deckies: the database is the truth, events say what to re-read.
internal sealed class DeckyWatcher(IBus bus, IDeckyStore store)
{
    public async Task RunAsync(CancellationToken ct)
    {
        await using var events = await bus.SubscribeAsync("decky.>", cancellationToken: ct);
        await store.ReloadAllAsync(ct); // subscribe first, then read, so nothing falls in between

        await foreach (var evt in events.WithCancellation(ct))
        {
            if (evt.MissedBefore > 0 || evt.MayHaveMissed)
            {
                // Hints were lost (a full queue, a broker restart): re-read everything now rather than at the next poll.
                await store.ReloadAllAsync(ct);
            }
            else
            {
                await store.ReloadAsync(evt.Topic, ct);
            }
        }
    }
}
// doc-snippet: resync

public sealed class ServiceBusResyncExampleTests
{
    [Fact]
    public async Task Watcher_ReloadsEverythingOnce_WhenItsQueueDroppedEvents()
    {
        await using var bus = new FakeBus(new FakeBusOptions { QueueSize = 2 });
        var store = new GatedStore();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var running = new DeckyWatcher(bus, store).RunAsync(stop.Token);

        // While the watcher does its first full read, five events arrive at a queue of two: three are dropped.
        await store.FirstFullReadStarted.Task.WaitAsync(stop.Token);
        for (var i = 0; i < 5; i++)
        {
            await bus.PublishAsync($"decky.d{i}.mutation", new { i }, cancellationToken: stop.Token);
        }

        store.ReleaseFirstFullRead.SetResult();
        await store.SingleReloaded.Task.WaitAsync(stop.Token);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);

        // d3 reported the 3 losses (a second full read); d4 needed only itself.
        Assert.Equal(2, store.FullReads);
        Assert.Equal(["decky.d4.mutation"], store.SingleReads);
    }

    private sealed class GatedStore : IDeckyStore
    {
        public TaskCompletionSource FirstFullReadStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource ReleaseFirstFullRead { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource SingleReloaded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int FullReads { get; private set; }

        public List<string> SingleReads { get; } = [];

        public async Task ReloadAllAsync(CancellationToken ct)
        {
            if (++FullReads == 1)
            {
                FirstFullReadStarted.SetResult();
                await ReleaseFirstFullRead.Task.WaitAsync(ct);
            }
        }

        public Task ReloadAsync(string topic, CancellationToken ct)
        {
            SingleReads.Add(topic);
            SingleReloaded.TrySetResult();
            return Task.CompletedTask;
        }
    }
}
