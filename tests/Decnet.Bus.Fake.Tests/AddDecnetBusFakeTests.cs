using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Decnet.Bus.Fake.Tests;

/// <summary><c>AddDecnetBus().AddFakeTransport()</c> gives FakeBus for <c>DECNET_BUS_TYPE=fake</c>.</summary>
public sealed class AddDecnetBusFakeTests
{
    [Fact]
    public async Task Type_fake_resolves_a_FakeBus_registered_by_AddFakeTransport()
    {
        await using var provider = Build(new() { ["DECNET_BUS_TYPE"] = "fake", ["DECNET_BUS_ECHO"] = "false" });

        var bus = provider.GetRequiredService<IBus>();

        Assert.IsType<FakeBus>(bus);
        await using var sub = await bus.SubscribeAsync("a.b");
        await bus.PublishAsync("a.b", new Dictionary<string, object?>());
        Assert.Equal(0, sub.Received); // DECNET_BUS_ECHO=false reached the FakeBus
    }

    [Fact]
    public async Task A_handler_that_throws_is_logged_as_a_warning_through_the_containers_logger_factory()
    {
        // docs/dotnet-hosts.md: "A handler that throws is logged (warning)"; FakeBus logged nothing before.
        var log = new Decnet.Testing.RecordingLogger<FakeBus>();
        var services = new ServiceCollection().AddLogging(logging => logging.AddProvider(new Decnet.Testing.RecordingLoggerProvider<FakeBus>(log)));
        services.AddSingleton(DecnetBusEnvironment.From(new Dictionary<string, string?> { ["DECNET_BUS_TYPE"] = "fake" }));
        services.AddDecnetBus().AddFakeTransport();
        await using var provider = services.BuildServiceProvider();
        var bus = provider.GetRequiredService<IBus>();
        await using var handler = await bus.SubscribeAsync("a.b", (_, _) => throw new InvalidOperationException("boom"));

        await bus.PublishAsync("a.b", new { n = 1 });

        var threw = "Bus handler for \"a.b\" threw";
        await log.WaitForAsync(line => line.Contains(threw, StringComparison.Ordinal));
        var (level, _) = Assert.Single(log.Entries, e => e.Line.Contains(threw, StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, level);
    }

    [Fact]
    public async Task Enabled_false_wins_over_the_type()
    {
        await using var provider = Build(new() { ["DECNET_BUS_TYPE"] = "fake", ["DECNET_BUS_ENABLED"] = "false" });

        Assert.Same(NullBus.Instance, provider.GetRequiredService<IBus>());
    }

    [Fact]
    public async Task Registering_twice_gives_one_bus()
    {
        var services = new ServiceCollection();
        services.AddSingleton(DecnetBusEnvironment.From(new Dictionary<string, string?> { ["DECNET_BUS_TYPE"] = "fake" }));
        services.AddDecnetBus().AddFakeTransport();
        services.AddDecnetBus().AddFakeTransport();
        await using var provider = services.BuildServiceProvider();

        Assert.Single(services, d => d.ServiceType == typeof(IBus));
        Assert.Same(provider.GetRequiredService<IBus>(), provider.GetRequiredService<IBus>());
    }

    private static ServiceProvider Build(Dictionary<string, string?> variables)
    {
        var services = new ServiceCollection();
        services.AddSingleton(DecnetBusEnvironment.From(variables));
        services.AddDecnetBus().AddFakeTransport();
        return services.BuildServiceProvider();
    }
}
