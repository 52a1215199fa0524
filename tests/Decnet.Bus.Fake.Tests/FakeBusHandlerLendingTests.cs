using System.Text;

namespace Decnet.Bus.Fake.Tests;

/// <summary>
/// A handler's <see cref="BusDelivery"/> is lent (docs/dotnet-hosts.md, "Handler subscriptions"): on the UNIX transport
/// its bytes are a ring buffer the next event overwrites. FakeBus overwrites them with 0xC1 (a byte MessagePack never
/// uses) once the handler's task completes, so a handler that keeps them fails under test rather than in production.
/// </summary>
public sealed class FakeBusHandlerLendingTests
{
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task PayloadKeptAfterTheHandlerReturns_IsOverwritten_WhileItReadsWellDuringTheCall()
    {
        await using var bus = new FakeBus();
        var kept = new List<BusDelivery>();
        var readDuringCall = new List<int>();
        using var handled = new SemaphoreSlim(0);
        await using var subscription = await bus.SubscribeAsync("lent.x", (delivery, _) =>
        {
            readDuringCall.Add(delivery.ReadPayload<Dictionary<string, int>>()["n"]);
            kept.Add(delivery);
            handled.Release();
            return ValueTask.CompletedTask;
        });

        for (var i = 0; i < 3; i++)
        {
            await bus.PublishAsync("lent.x", new Dictionary<string, int> { ["n"] = i });
            Assert.True(await handled.WaitAsync(_bound));
        }

        await FenceAsync(bus);
        Assert.Equal([0, 1, 2], readDuringCall);
        Assert.All(kept, k => Assert.True(Overwritten(k.Payload), $"a kept payload still reads: {Convert.ToHexString(k.Payload.Span)}"));
        var ids = bus.Published.Select(e => e.Id).ToList();
        Assert.All(kept, k => Assert.DoesNotContain(k.Id, ids));
    }

    [Fact]
    public async Task IdBytesKeptAfterTheHandlerReturns_AreOverwritten()
    {
        await using var bus = new FakeBus();
        ReadOnlyMemory<byte> payload = default;
        var handled = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscription = await bus.SubscribeAsync("lent.id", (delivery, _) =>
        {
            payload = delivery.Payload;
            handled.SetResult(Encoding.UTF8.GetString(delivery.IdUtf8));
            return ValueTask.CompletedTask;
        });

        await bus.PublishAsync("lent.id", new { n = 1 });

        Assert.Equal(bus.Published.Single().Id, await handled.Task.WaitAsync(_bound));
        await FenceAsync(bus);
        Assert.True(Overwritten(payload), "the kept payload still reads");
    }

    [Fact]
    public async Task AnAwaitingHandler_ReadsItsPayloadUntilItsTaskCompletes()
    {
        await using var bus = new FakeBus();
        var resume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var awaiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var readAfterAwait = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        ReadOnlyMemory<byte> payload = default;
        await using var subscription = await bus.SubscribeAsync("lent.await", async (delivery, _) =>
        {
            payload = delivery.Payload;
            awaiting.SetResult();
            await resume.Task;
            readAfterAwait.SetResult(delivery.ReadPayload<Dictionary<string, int>>()["n"]);
        });

        await bus.PublishAsync("lent.await", new Dictionary<string, int> { ["n"] = 7 });
        await awaiting.Task.WaitAsync(_bound);
        resume.SetResult();

        Assert.Equal(7, await readAfterAwait.Task.WaitAsync(_bound));
        await FenceAsync(bus);
        Assert.True(Overwritten(payload), "the kept payload still reads");
    }

    [Fact]
    public async Task ToEvent_InTheHandler_KeepsAnIntactCopy_WithItsTrace()
    {
        await using var bus = new FakeBus();
        var kept = new TaskCompletionSource<BusEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscription = await bus.SubscribeAsync("lent.copy", (delivery, _) =>
        {
            kept.SetResult(delivery.ToEvent());
            return ValueTask.CompletedTask;
        });
        using var app = new System.Diagnostics.Activity("app");
        app.SetIdFormat(System.Diagnostics.ActivityIdFormat.W3C);
        app.Start();
        await bus.PublishAsync("lent.copy", new Dictionary<string, int> { ["n"] = 5 });
        app.Stop();

        var evt = await kept.Task.WaitAsync(_bound);
        var published = bus.Published.Single();
        Assert.Equal(5, evt.ReadPayload<Dictionary<string, int>>()["n"]);
        Assert.Equal(published.Id, evt.Id);
        Assert.Equal(published.TraceParent, evt.TraceParent);
        Assert.NotNull(evt.TraceParent);
    }

    /// <summary>
    /// Every handler of a FakeBus runs on one delivery loop, which calls the next handler only once the previous one's
    /// task completed (and its delivery was overwritten): a handler call on a fence subscription is the barrier.
    /// </summary>
    private static async Task FenceAsync(FakeBus bus)
    {
        var fenced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var fence = await bus.SubscribeAsync("fence", (_, _) =>
        {
            fenced.TrySetResult();
            return ValueTask.CompletedTask;
        });
        await bus.PublishAsync("fence", new { });
        await fenced.Task.WaitAsync(_bound);
    }

    private static bool Overwritten(ReadOnlyMemory<byte> bytes) => !bytes.IsEmpty && bytes.Span.IndexOfAnyExcept((byte)0xC1) < 0;
}
