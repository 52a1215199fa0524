using System.Globalization;
using Decnet.Bus.Unix.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Decnet.Bus.Unix.Tests.Broker;

public sealed class HeartbeatTests
{
    [Fact]
    public async Task Heartbeat_IsPublishedOnSystemBusHealthEveryInterval()
    {
        await using var watched = await Watched.StartAsync();
        var (time, broker, client, sub) = watched;

        time.Advance(TimeSpan.FromSeconds(5));

        var evt = await Receive.NextAsync(sub);
        var payload = evt.ReadPayloadAsDictionary();
        Assert.Equal("health", evt.Type);
        Assert.Equal(Environment.ProcessId, evt.Publisher?.Pid);
        Assert.Equal(Environment.ProcessId, Convert.ToInt32(payload["pid"], CultureInfo.InvariantCulture));
        Assert.Equal(5.0, Convert.ToDouble(payload["uptime_s"], CultureInfo.InvariantCulture));
        Assert.Equal(1_800_000_005.0, Convert.ToDouble(payload["ts"], CultureInfo.InvariantCulture));
        Assert.Equal(1, Convert.ToInt32(payload["connections"], CultureInfo.InvariantCulture));
        Assert.True(payload.ContainsKey("published") && payload.ContainsKey("delivered") && payload.ContainsKey("dropped"));
    }

    [Fact]
    public async Task Heartbeats_KeepArriving_ToASubscriberThatGetsNothingElse()
    {
        // Heartbeats are routed from a timer, not a receive loop, so they wake the send loop directly: each of them
        // must reach an otherwise idle subscriber, not only the first.
        await using var watched = await Watched.StartAsync();
        var (time, broker, client, sub) = watched;

        for (var beat = 1; beat <= 3; beat++)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            var evt = await Receive.NextAsync(sub);
            Assert.Equal(5.0 * beat, Convert.ToDouble(evt.ReadPayloadAsDictionary()["uptime_s"], CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public async Task Stats_CountTheBrokersOwnHeartbeats_ApartFromClientPublishes()
    {
        await using var watched = await Watched.StartAsync();
        var (time, broker, client, sub) = watched;
        var before = await client.GetBrokerStatsAsync().WaitAsync(TestBroker.Bound);
        for (var beat = 1; beat <= 2; beat++)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            await Receive.NextAsync(sub);
        }

        await client.PublishAsync("app.event", new Dictionary<string, object> { ["k"] = 1 });
        var stats = await client.GetBrokerStatsAsync().WaitAsync(TestBroker.Bound);

        // Two more heartbeats and one client event since the first snapshot (the broker also beats once at start).
        Assert.Equal(before.Heartbeats + 2, stats.Heartbeats);
        Assert.Equal(before.Published + 3, stats.Published);
        Assert.True(before.Heartbeats >= 1, "the heartbeat sent at start is counted");
    }

    [Fact]
    public async Task AHeartbeat_KeepsNoRoutingBuffersBetweenBeats()
    {
        // The heartbeat routes once every interval: a buffer kept for each health subscriber would sit idle in between.
        await using var watched = await Watched.StartAsync();
        var (time, broker, client, sub) = watched;

        time.Advance(TimeSpan.FromSeconds(5));
        await Receive.NextAsync(sub);

        Assert.Equal(0, broker.Server.Hub!.StagingBytes); // 16,640 before: one staging kept for the subscriber
    }

    /// <summary>A broker beating every 5 s on a fake clock, and a client subscribed to its health topic.</summary>
    private sealed record Watched(FakeTimeProvider Time, TestBroker Broker, UnixSocketBus Client, IBusSubscription Sub) : IAsyncDisposable
    {
        public static async Task<Watched> StartAsync()
        {
            var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
            var broker = await TestBroker.StartAsync(o => o.HeartbeatInterval = TimeSpan.FromSeconds(5), time);
            var client = broker.CreateClient("watcher");
            return new Watched(time, broker, client, await client.SubscribeAsync(Topics.SystemBusHealth));
        }

        public async ValueTask DisposeAsync()
        {
            await Sub.DisposeAsync();
            await Broker.DisposeAsync();
        }
    }
}
