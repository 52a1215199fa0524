using Microsoft.Extensions.DependencyInjection;

namespace Decnet.Bus.Unix.Tests.DependencyInjection;

/// <summary><c>AddDecnetBus().AddUnixTransport()</c> with the default type gives the Unix client.</summary>
public sealed class AddDecnetBusUnixTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("unix")]
    [InlineData("UNIX")]
    public async Task Default_and_unix_type_resolve_a_UnixSocketBus_on_the_configured_socket(string? type)
    {
        var socket = Path.Combine(Path.GetTempPath(), $"dnu-{Guid.NewGuid():N}.sock");
        var services = new ServiceCollection();
        services.AddSingleton(DecnetBusEnvironment.From(new Dictionary<string, string?> { ["DECNET_BUS_TYPE"] = type, ["DECNET_BUS_SOCKET"] = socket }));
        services.AddDecnetBus().AddUnixTransport();
        await using var provider = services.BuildServiceProvider();

        var bus = Assert.IsType<UnixSocketBus>(provider.GetRequiredService<IBus>());

        Assert.Equal(socket, bus.SocketPath);

        // No broker there: publishing is still not an error (design §5), only a counted drop.
        await bus.PublishAsync("a.b", new Dictionary<string, object?>());
        Assert.Equal(1, bus.Counters.Published);
    }
}
