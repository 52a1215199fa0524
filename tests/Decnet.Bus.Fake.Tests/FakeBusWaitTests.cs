namespace Decnet.Bus.Fake.Tests;

public sealed class FakeBusWaitTests
{
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task WaitForAsync_FindsAnEventPublishedBeforeTheCall()
    {
        await using var bus = new FakeBus();
        await bus.PublishAsync("decky.d1.mutation", new { decky = "d1" });

        var evt = await bus.WaitForAsync("decky.*.mutation", timeout: _bound);

        Assert.Equal("decky.d1.mutation", evt.Topic);
    }

    [Fact]
    public async Task WaitForAsync_FindsAnEventPublishedAfterTheCall()
    {
        await using var bus = new FakeBus();

        var waiting = bus.WaitForAsync("decky.>", timeout: _bound);
        Assert.False(waiting.IsCompleted);
        await bus.PublishAsync("other.topic", new { n = 0 });
        Assert.False(waiting.IsCompleted);
        await bus.PublishAsync("decky.d2.mutation", new { decky = "d2" });

        Assert.Equal("decky.d2.mutation", (await waiting).Topic);
    }

    [Fact]
    public async Task WaitForAsync_Predicate_SkipsEventsItRejects()
    {
        await using var bus = new FakeBus();
        await bus.PublishAsync("job.done", new Dictionary<string, object?> { ["id"] = "a" });

        var waiting = bus.WaitForAsync("job.done", e => (string?)e.ReadPayloadAsDictionary()["id"] == "b", _bound);
        Assert.False(waiting.IsCompleted);
        await bus.PublishAsync("job.done", new Dictionary<string, object?> { ["id"] = "b" });

        Assert.Equal("b", (await waiting).ReadPayloadAsDictionary()["id"]);
    }

    [Fact]
    public async Task WaitForAsync_Timeout_MessageListsWhatWasPublishedInstead()
    {
        await using var bus = new FakeBus(new FakeBusOptions { ClientName = "worker-under-test" });
        await bus.PublishAsync("decky.d1.state", new { state = "running" }, type: "state");
        await bus.PublishAsync("system.w.health", new { worker = "w" });

        var error = await Assert.ThrowsAsync<FakeBusWaitTimeoutException>(
            () => bus.WaitForAsync("decky.*.mutation", timeout: TimeSpan.FromMilliseconds(50)));

        Assert.IsAssignableFrom<TimeoutException>(error);
        Assert.Contains("worker-under-test", error.Message, StringComparison.Ordinal);
        Assert.Contains("decky.*.mutation", error.Message, StringComparison.Ordinal);
        Assert.Contains("decky.d1.state type=\"state\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("\"running\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("system.w.health", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitForAsync_Timeout_WithNothingPublished_SaysSo()
    {
        await using var bus = new FakeBus();

        var error = await Assert.ThrowsAsync<FakeBusWaitTimeoutException>(
            () => bus.WaitForAsync("a.b", e => true, TimeSpan.FromMilliseconds(20)));

        Assert.Contains("nothing was published", error.Message, StringComparison.Ordinal);
        Assert.Contains("predicate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitForAsync_AfterClear_IgnoresClearedEvents()
    {
        await using var bus = new FakeBus();
        await bus.PublishAsync("c.x", new { n = 1 });
        bus.Clear();

        var waiting = bus.WaitForAsync("c.x", timeout: _bound);
        Assert.False(waiting.IsCompleted);
        await bus.PublishAsync("c.x", new { n = 2 });

        Assert.Equal(2, Convert.ToInt32((await waiting).ReadPayloadAsDictionary()["n"], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task WaitForCountAsync_ReturnsFirstMatchesInPublishOrder_PastThenFuture()
    {
        await using var bus = new FakeBus();
        await bus.PublishAsync("n.1", new { n = 1 });
        await bus.PublishAsync("skip.1", new { n = 0 });
        await bus.PublishAsync("n.2", new { n = 2 });

        var waiting = bus.WaitForCountAsync("n.*", 4, timeout: _bound);
        await bus.PublishAsync("n.3", new { n = 3 });
        Assert.False(waiting.IsCompleted);
        await bus.PublishAsync("n.4", new { n = 4 });
        await bus.PublishAsync("n.5", new { n = 5 });

        Assert.Equal(["n.1", "n.2", "n.3", "n.4"], (await waiting).Select(e => e.Topic));
    }

    [Fact]
    public async Task WaitForAsync_RacingWithPublishers_NeverMissesAnEvent()
    {
        await using var bus = new FakeBus();
        for (var i = 0; i < 500; i++)
        {
            var topic = $"race.{i}";
            var publishing = Task.Run(async () => await bus.PublishAsync(topic, new { i }));
            var found = await bus.WaitForAsync(topic, timeout: _bound);
            await publishing;
            Assert.Equal(topic, found.Topic);
        }
    }

    [Fact]
    public async Task WaitForAsync_Cancelled_ThrowsOperationCanceled_NotTimeout()
    {
        await using var bus = new FakeBus();
        using var cancel = new CancellationTokenSource();

        var waiting = bus.WaitForAsync("never", timeout: _bound, cancellationToken: cancel.Token);
        await cancel.CancelAsync();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(cancel.Token, error.CancellationToken);
    }

    [Fact]
    public async Task WaitForAsync_BusDisposed_FailsThePendingWait()
    {
        var bus = new FakeBus();
        var waiting = bus.WaitForAsync("never", timeout: _bound);

        await bus.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting.WaitAsync(_bound));
    }

    [Fact]
    public async Task WaitForAsync_PredicateThrows_FailsTheWaitNotThePublisher()
    {
        await using var bus = new FakeBus();
        var waiting = bus.WaitForAsync("p.x", _ => throw new InvalidOperationException("bad predicate"), _bound);

        await bus.PublishAsync("p.x", new { n = 1 });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => waiting);
        Assert.Equal("bad predicate", error.Message);
    }

    [Fact]
    public async Task WaitForAsync_InvalidPattern_ThrowsArgumentExceptionNamingTheToken()
    {
        await using var bus = new FakeBus();

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(() => bus.WaitForAsync("a.b*"));

        Assert.Contains("b*", error.Message, StringComparison.Ordinal);
    }
}
