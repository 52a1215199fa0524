using System.Globalization;
using Microsoft.Extensions.Hosting;

namespace Decnet.Bus.Fake.Tests.Docs;

/// <summary>The handler-subscription worker of docs/dotnet-hosts.md, compiled and run on a FakeBus.</summary>
public sealed class ServiceBusHandlerExampleTests
{
    [Fact]
    public async Task Handler_worker_example_sees_the_mutation_it_is_subscribed_to()
    {
        await using var bus = new FakeBus();
        using var worker = new MutationWatcher(bus);

        // ExecuteAsync runs on a pool thread: the worker is live once its subscription is on the network.
        await worker.StartAsync(CancellationToken.None);
        Assert.True(SpinWait.SpinUntil(() => bus.Network.SubscriptionCount == 1, TimeSpan.FromSeconds(10)), "the worker never subscribed");
        await bus.PublishAsync(
            Topics.TopologyMutation("topo-1", Topics.MutationApplied),
            new Dictionary<string, object?> { ["mutation_id"] = 42 },
            type: "applied");

        Assert.True(SpinWait.SpinUntil(() => worker.LastMutationId == 42, TimeSpan.FromSeconds(10)), $"last mutation id {worker.LastMutationId}");
        await worker.StopAsync(CancellationToken.None);
    }

    // doc-snippet: handler
    internal sealed class MutationWatcher(IBus bus) : BackgroundService
    {
        private long _lastMutationId;

        public long LastMutationId => Interlocked.Read(ref _lastMutationId);

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            // Every handler of this bus runs on one delivery loop: no task per subscription, no allocation per event.
            await using var subscription = await bus.SubscribeAsync(
                "topology.*.mutation.>",
                delivery =>
                {
                    if (delivery.MissedBefore > 0 || delivery.MayHaveMissed)
                    {
                        // Events are hints: after a loss, re-read the state from the database.
                    }

                    // The payload is lent for this call only: decode what you need now (ToEvent() keeps a copy).
                    var payload = delivery.ReadPayload<Dictionary<string, object?>>();
                    Interlocked.Exchange(ref _lastMutationId, Convert.ToInt64(payload["mutation_id"], CultureInfo.InvariantCulture));
                },
                cancellationToken: stoppingToken);

            await Task.Delay(Timeout.Infinite, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }
    // doc-snippet: handler
}
