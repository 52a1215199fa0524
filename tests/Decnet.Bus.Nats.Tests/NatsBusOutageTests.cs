using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Decnet.Bus.Conformance;
using Decnet.Bus.Nats.Tests.Support;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Decnet.Bus.Nats.Tests;

/// <summary>What the NATS transport does when the server goes away and comes back (docs/cross-host.md).</summary>
[RequiresNatsServer]
public sealed class NatsBusOutageTests : IAsyncLifetime
{
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(10);

    // Shorter than the wait a subscribe made while the server is down must not make, with room for a loaded machine.
    private static readonly TimeSpan _sooner = NatsBus.SubscribeWaitBound - TimeSpan.FromSeconds(1);
    private NatsServer _server = null!;

    public async Task InitializeAsync() => _server = await NatsServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Publish_WhileServerDown_NeverThrows_DropsAndCountsEachEvent()
    {
        await using var bus = new NatsBus(NatsTestOptions.For(_server));
        await using var live = await bus.SubscribeAsync("outage.probe");
        Assert.True(bus.IsConnected);

        var closed = bus.Closed;
        await _server.StopAsync();
        await closed.WaitAsync(_bound);
        for (var i = 0; i < 10; i++)
        {
            await bus.PublishAsync("outage.down", new SequencePayload { Seq = i });
        }

        Assert.Equal(new BusCounters(10, 0, 10), bus.Counters);
    }

    [Fact]
    public async Task HealthCheck_Connected_IsHealthy_DegradedOnceTheServerIsGone()
    {
        await using var bus = new NatsBus(NatsTestOptions.For(_server));
        await using var services = NatsBusHealthTests.Services(bus, TimeSpan.FromSeconds(30));
        await using var live = await bus.SubscribeAsync("outage.health");
        Assert.True(bus.IsConnected);

        var up = await NatsBusHealthTests.CheckAsync(services);
        var closed = bus.Closed;
        await _server.StopAsync();
        await closed.WaitAsync(_bound);
        var gone = await NatsBusHealthTests.CheckAsync(services);

        Assert.Equal(HealthStatus.Healthy, up.Status);
        Assert.Equal("connected", up.Description);
        Assert.Equal(HealthStatus.Degraded, gone.Status);
        Assert.Equal("Disconnected", gone.Data["state"]);
    }

    [Fact]
    public async Task Publish_ServerNeverReachable_ReturnsAfterTheFirstAttempt_AndCountsTheDrop()
    {
        var options = NatsTestOptions.For(_server);
        await _server.StopAsync();
        await using var bus = new NatsBus(options);

        await bus.PublishAsync("outage.never", new { n = 1 }).AsTask().WaitAsync(_bound);
        await bus.PublishAsync("outage.never", new { n = 2 }).AsTask().WaitAsync(_bound);

        Assert.Equal(new BusCounters(2, 0, 2), bus.Counters);
        Assert.False(bus.IsConnected);
    }

    [Fact]
    public async Task PublishesMadeWhileTheFirstConnectionHangs_EachWaitsItsOwnBound_NotOneAfterAnother_ThenIsDropped()
    {
        // A server that accepts and never speaks: the first attempt hangs until the handshake timeout, far past the test.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var options = NatsTestOptions.For(_server, "hung");
        options.Nats.Url = $"nats://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}";
        options.HandshakeTimeout = 30 * NatsBus.FirstConnectWaitBound;
        var bus = new NatsBus(options);
        try
        {
            var made = Stopwatch.StartNew();
            var publishes = Enumerable.Range(0, 10)
                .Select(i => bus.PublishAsync("outage.hung", new SequencePayload { Seq = i }).AsTask())
                .ToList();
            Assert.False(publishes[^1].IsCompleted, "a publish made during the first connection should wait for it");

            // Each ends about FirstConnectWaitBound after it was made: waiting one after another would take 10 times that.
            await Task.WhenAll(publishes).WaitAsync(4 * NatsBus.FirstConnectWaitBound);
            Assert.True(made.Elapsed >= 0.9 * NatsBus.FirstConnectWaitBound, $"the publishes ended after {made.Elapsed}, before their bound");
            Assert.False(bus.FirstAttempt.IsCompleted, "the first attempt ended, so this did not test waiting for it");
            Assert.Equal(new BusCounters(10, 0, 10), bus.Counters);
            Assert.False(bus.IsConnected);
        }
        finally
        {
            await bus.DisposeAsync().AsTask().WaitAsync(_bound);
        }
    }

    [Fact]
    public async Task ServerRestart_SubscriptionIsReestablished_CountsOneReconnect_AndReceivesAgain()
    {
        await using var subscriber = new NatsBus(NatsTestOptions.For(_server, "subscriber"));
        await using var publisher = new NatsBus(NatsTestOptions.For(_server, "publisher"));
        await using var subscription = await subscriber.SubscribeAsync("restart.>");
        await publisher.PublishAsync("restart.before", new { n = 1 });
        Assert.Equal("restart.before", (await Read.OneAsync(subscription)).Topic);

        var subscriberClosed = subscriber.Closed;
        var publisherClosed = publisher.Closed;
        await _server.RestartAsync();
        await subscriberClosed.WaitAsync(_bound);
        await publisherClosed.WaitAsync(_bound);
        await subscriber.Opened.WaitAsync(_bound);
        await publisher.Opened.WaitAsync(_bound);

        await publisher.PublishAsync("restart.after", new { n = 2 });

        Assert.Equal("restart.after", (await Read.OneAsync(subscription)).Topic);
        Assert.Equal(1, subscription.Reconnected);
        Assert.Equal(1, subscriber.GetStats().Reconnects);
        Assert.Equal(1, subscriber.GetStats().Disconnects);
    }

    [Fact]
    public async Task Subscribe_WhileServerDown_ReturnsWithoutThrowing_AndGoesLiveWhenItStarts()
    {
        var options = NatsTestOptions.For(_server, "late");
        await _server.StopAsync();
        await using var subscriber = new NatsBus(options);
        await using var subscription = await subscriber.SubscribeAsync("late.>").AsTask().WaitAsync(_bound + NatsBus.SubscribeWaitBound);
        Assert.False(subscriber.IsConnected);

        await _server.RestartAsync();
        await subscriber.Opened.WaitAsync(_bound);
        await using var publisher = new NatsBus(NatsTestOptions.For(_server, "publisher"));
        await using var witness = await publisher.SubscribeAsync("late.>");
        await publisher.PublishAsync("late.event", new { n = 1 });

        Assert.Equal("late.event", (await Read.OneAsync(witness)).Topic);
        Assert.Equal("late.event", (await Read.OneAsync(subscription)).Topic);
        Assert.Equal(0, subscription.Reconnected);
    }

    [Fact]
    public async Task Subscribe_AfterTheFirstAttemptFailed_ReturnsAtOnce_NotAfterTheWaitBound_AndGoesLiveLater()
    {
        // Known down: like a publish (dropped at once) and the UNIX client's subscribe, it does not wait for a server
        // that is not there. It returned only after SubscribeWaitBound (5 s) for every subscription.
        var options = NatsTestOptions.For(_server, "down");
        await _server.StopAsync();
        await using var subscriber = new NatsBus(options);
        Assert.False(await subscriber.WaitForConnectionAsync(TimeSpan.Zero));
        await subscriber.FirstAttempt.WaitAsync(_bound);

        await using var subscription = await subscriber.SubscribeAsync("down.>").AsTask().WaitAsync(_sooner);

        await AssertGoesLiveAsync(subscriber, subscription, "down.event");
    }

    [Fact]
    public async Task Subscribe_WhileReconnecting_ReturnsAtOnce_NotAfterTheWaitBound_AndGoesLiveLater()
    {
        await using var subscriber = new NatsBus(NatsTestOptions.For(_server, "reconnecting"));
        await using var first = await subscriber.SubscribeAsync("first.>");
        var closed = subscriber.Closed;
        await _server.StopAsync();
        await closed.WaitAsync(_bound);

        await using var subscription = await subscriber.SubscribeAsync("lost.>").AsTask().WaitAsync(_sooner);

        await AssertGoesLiveAsync(subscriber, subscription, "lost.event");
    }

    [Fact]
    public async Task Subscribe_AfterTheFirstAttemptFailed_TheFirstEventOnceLive_ReportsMayHaveMissed_NotAReconnect()
    {
        // As the UNIX client's subscribe while its broker is down: returned before the server had it, so what was
        // published until it went live is lost uncounted, and the first event says so; its first SUB is no reconnect.
        var options = NatsTestOptions.For(_server, "missed");
        await _server.StopAsync();
        await using var subscriber = new NatsBus(options);
        Assert.False(await subscriber.WaitForConnectionAsync(TimeSpan.Zero));
        await subscriber.FirstAttempt.WaitAsync(_bound);
        await using var subscription = await subscriber.SubscribeAsync("missed.>").AsTask().WaitAsync(_sooner);

        var events = await PublishAfterRestartAsync(subscriber, subscription, "missed");

        Assert.Equal([true, false], events.Select(e => e.MayHaveMissed));
        Assert.Equal(0, subscription.Reconnected);
    }

    [Fact]
    public async Task ServerRestart_TheFirstEventAfterTheReconnect_ReportsMayHaveMissed_AndOnlyIt()
    {
        await using var subscriber = new NatsBus(NatsTestOptions.For(_server, "gap"));
        await using var subscription = await subscriber.SubscribeAsync("gap.>");
        await using (var before = new NatsBus(NatsTestOptions.For(_server, "before")))
        {
            await before.PublishAsync("gap.before", new { n = 0 });
            Assert.False((await Read.OneAsync(subscription)).MayHaveMissed);
        }

        var closed = subscriber.Closed;
        await _server.StopAsync();
        await closed.WaitAsync(_bound);
        var events = await PublishAfterRestartAsync(subscriber, subscription, "gap");

        Assert.Equal([true, false], events.Select(e => e.MayHaveMissed));
        Assert.Equal(1, subscription.Reconnected);
    }

    [Fact]
    public async Task ServerRestart_WhileTheClientsEventHandlersLag_TheFirstEventAfterTheReconnect_StillReportsMayHaveMissed()
    {
        // The client raises its events (disconnected, opened, reconnect failed) from one queue, one handler at a
        // time, while its reconnect goes on without them. Held behind a slow handler from the first outage on, the
        // second outage's "disconnected" arrives after the new connection's first events: the mark must not wait
        // for it.
        await using var subscriber = new NatsBus(NatsTestOptions.For(_server, "lag"));
        await using var subscription = await subscriber.SubscribeAsync("lag.>");
        var failed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        subscriber.Connection.ReconnectFailed += async (_, _) =>
        {
            failed.TrySetResult();
            await hold.Task;
        };
        try
        {
            await _server.StopAsync();
            await failed.Task.WaitAsync(_bound);
            Assert.Equal([true, false], (await RestartAndReadTwoAsync(subscriber, subscription, "lag.a")).Select(e => e.MayHaveMissed));

            await _server.StopAsync();
            Assert.True(SpinWait.SpinUntil(() => !subscriber.IsConnected, _bound), "the client never saw the second outage");
            Assert.Equal([true, false], (await RestartAndReadTwoAsync(subscriber, subscription, "lag.b")).Select(e => e.MayHaveMissed));
        }
        finally
        {
            hold.TrySetResult();
        }
    }

    /// <summary>
    /// Restarts the stopped server and waits for the client's own reconnect (which re-sends its SUBs), not for the
    /// bus's event handlers; publishes <c>{prefix}.one</c> and <c>.two</c>; what the subscription got.
    /// </summary>
    private async Task<BusEvent[]> RestartAndReadTwoAsync(NatsBus subscriber, IBusSubscription subscription, string prefix)
    {
        await _server.RestartAsync();
        await subscriber.Connection.ConnectAsync().AsTask().WaitAsync(_bound);
        Assert.True(await subscriber.FlushAsync(_bound));
        await using var publisher = new NatsBus(NatsTestOptions.For(_server, "publisher"));
        await publisher.PublishAsync($"{prefix}.one", new { n = 1 });
        await publisher.PublishAsync($"{prefix}.two", new { n = 2 });
        var events = new[] { await Read.OneAsync(subscription), await Read.OneAsync(subscription) };
        Assert.Equal([$"{prefix}.one", $"{prefix}.two"], events.Select(e => e.Topic));
        return events;
    }

    /// <summary>
    /// Restarts the stopped server, publishes <c>{prefix}.one</c> and <c>.two</c>; what the subscription got.
    /// </summary>
    private async Task<List<BusEvent>> PublishAfterRestartAsync(NatsBus subscriber, IBusSubscription subscription, string prefix)
    {
        Assert.False(subscriber.IsConnected);
        await _server.RestartAsync();
        await subscriber.Opened.WaitAsync(_bound);

        // A PING/PONG after the re-subscribe: the server has the SUB before the publisher's events.
        Assert.True(await subscriber.FlushAsync(_bound));
        await using var publisher = new NatsBus(NatsTestOptions.For(_server, "publisher"));
        await publisher.PublishAsync($"{prefix}.one", new { n = 1 });
        await publisher.PublishAsync($"{prefix}.two", new { n = 2 });

        var events = new List<BusEvent> { await Read.OneAsync(subscription), await Read.OneAsync(subscription) };
        Assert.Equal([$"{prefix}.one", $"{prefix}.two"], events.Select(e => e.Topic));
        return events;
    }

    private async Task AssertGoesLiveAsync(NatsBus subscriber, IBusSubscription subscription, string topic)
    {
        Assert.False(subscriber.IsConnected);
        await _server.RestartAsync();
        await subscriber.Opened.WaitAsync(_bound);
        await using var publisher = new NatsBus(NatsTestOptions.For(_server, "publisher"));
        await using var witness = await publisher.SubscribeAsync(topic);
        await publisher.PublishAsync(topic, new { n = 1 });

        Assert.Equal(topic, (await Read.OneAsync(witness)).Topic);
        Assert.Equal(topic, (await Read.OneAsync(subscription)).Topic);
    }
}
