using Decnet.Bus.Nats;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the <c>nats</c> transport of package <c>Decnet.Bus.Nats</c>.</summary>
public static class NatsTransportServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="NatsBusTransportProvider"/>, so <c>DECNET_BUS_TYPE=nats</c> selects it: <c>services.AddDecnetBus().AddNatsTransport()</c>.
    /// An explicit call instead of discovery by assembly name, so a trimmed application keeps the transport.
    /// Calling it twice is harmless.
    /// </summary>
    public static IServiceCollection AddNatsTransport(this IServiceCollection services)
        => services.AddDecnetBusTransport<NatsBusTransportProvider>();
}
