using Microsoft.Extensions.DependencyInjection;

namespace Decnet.Bus;

/// <summary>
/// Tells the options validator whether the container's <see cref="IBus"/> is the one <c>AddDecnetBus()</c> builds from
/// a transport: a host that registered its own <see cref="IBus"/> (a test, an embedding application) needs none.
/// </summary>
internal sealed class BusRegistration(IServiceCollection services, Func<IServiceProvider, IBus> factory)
{
    /// <summary>True when the last <see cref="IBus"/> registration (the one the container resolves) is ours.</summary>
    public bool UsesTransport
        => services.LastOrDefault(d => d.ServiceType == typeof(IBus)) is { IsKeyedService: false, ImplementationFactory: { } f }
            && f.Method == factory.Method;
}
