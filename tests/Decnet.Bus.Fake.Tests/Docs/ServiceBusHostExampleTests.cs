using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Decnet.Bus.Fake.Tests.Docs;

/// <summary>The host example of docs/dotnet-hosts.md, compiled and run (with the fake transport chosen by configuration).</summary>
public sealed class ServiceBusHostExampleTests
{
    [Fact]
    public async Task Host_example_publishes_and_receives_through_AddDecnetBus()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["DECNET_BUS_TYPE"] = "fake"; // in production DECNET_BUS_* come from the environment
        string? seenOp = null;

        // doc-snippet: host
        builder.Services.AddDecnetBus().AddFakeTransport();       // DECNET_BUS_* configure; a worker adds AddUnixTransport()
        builder.Services.AddDecnetWorkerHeartbeat("mutator");     // system.mutator.health every DECNET_BUS_HEARTBEAT_S
        using var host = builder.Build();
        await host.StartAsync();
        var bus = host.Services.GetRequiredService<IBus>();

        // Subscribing: live as soon as SubscribeAsync returns.
        await using var subscription = await bus.SubscribeAsync("topology.*.mutation.>");

        // Publishing: fire-and-forget; it never throws because the broker is down.
        await bus.PublishAsync(
            Topics.TopologyMutation("topo-1", Topics.MutationApplied),
            new Dictionary<string, object?> { ["mutation_id"] = 42, ["op"] = "add_service" },
            type: "applied");

        await foreach (var evt in subscription)
        {
            // Events are hints: re-read the state from the database, using the payload only to know what changed.
            var payload = evt.ReadPayloadAsDictionary();
            seenOp = (string?)payload["op"];
            break;
        }

        await host.StopAsync();
        // doc-snippet: host

        Assert.Equal("add_service", seenOp);
    }
}
