using System.Diagnostics;
using Decnet.Bus.Nats.Tests.Support;
using Decnet.Testing;

namespace Decnet.Bus.Nats.Tests;

/// <summary>
/// A publish the transport refuses was never sent, so it records no <c>send</c> activity (docs/dotnet-hosts.md,
/// "Tracing"), as on the UNIX transport and FakeBus.
/// </summary>
[RequiresNatsServer]
public sealed class NatsPublishTracingTests(NatsServerFixture fixture) : IClassFixture<NatsServerFixture>
{
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task PublishRefusedForFrameSize_RecordsNoSendActivity_AndOneThatFitsDoes()
    {
        var topic = $"oversize.{Guid.NewGuid():N}";
        using var activities = new StoppedBusActivities();
        await using var bus = new NatsBus(NatsTestOptions.For(fixture.Server));
        Assert.True(await bus.WaitForConnectionAsync(_bound));
        await using var subscription = await bus.SubscribeAsync(topic);

        using (var app = new Activity("app").SetIdFormat(ActivityIdFormat.W3C).Start())
        {
            await Assert.ThrowsAsync<ArgumentException>(async () => await bus.PublishAsync(topic, new { b = new byte[2 * 1024 * 1024] }));
            await bus.PublishAsync(topic, new { b = new byte[16] });
        }

        var evt = await Read.OneAsync(subscription);
        var send = Assert.Single(activities.Named($"send {topic}"));
        Assert.Equal(send.Id, evt.TraceParent);
    }
}
