using Decnet.Bus.Abstractions.Tests.TestDoubles;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Decnet.Bus.Abstractions.Tests.Options;

/// <summary>Builds real hosts from in-memory configuration, isolated from the process environment.</summary>
internal static class BusHostFactory
{
    /// <summary>A host with <see cref="UnixStandInProvider"/> registered for the default type unless <paramref name="unixStandIn"/> is false.</summary>
    public static IHost Build(IReadOnlyDictionary<string, string?> configuration, Action<IServiceCollection>? configure = null, DecnetBusEnvironment? environment = null, bool unixStandIn = true)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Services.AddSingleton(environment ?? DecnetBusEnvironment.None);
        configure?.Invoke(builder.Services);
        builder.Services.AddDecnetBus();
        if (unixStandIn)
        {
            builder.Services.AddDecnetBusTransport<UnixStandInProvider>();
        }

        return builder.Build();
    }

    /// <summary>Starts a host and returns the bound options; throws what host start throws.</summary>
    public static async Task<DecnetBusOptions> StartAndGetOptionsAsync(IReadOnlyDictionary<string, string?> configuration, Action<IServiceCollection>? configure = null, DecnetBusEnvironment? environment = null)
    {
        using var host = Build(configuration, configure, environment);
        await host.StartAsync().WaitAsync(TimeSpan.FromSeconds(10));
        var options = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<DecnetBusOptions>>().Value;
        await host.StopAsync();
        return options;
    }
}
