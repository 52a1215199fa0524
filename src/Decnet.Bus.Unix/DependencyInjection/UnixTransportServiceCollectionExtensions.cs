using Decnet.Bus.Unix;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the <c>unix</c> transport of package <c>Decnet.Bus.Unix</c>.</summary>
public static class UnixTransportServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="UnixBusTransportProvider"/>, so <c>DECNET_BUS_TYPE=unix</c> selects it: <c>services.AddDecnetBus().AddUnixTransport()</c>.
    /// An explicit call instead of discovery by assembly name, so a trimmed application keeps the transport.
    /// Calling it twice is harmless.
    /// </summary>
    public static IServiceCollection AddUnixTransport(this IServiceCollection services)
        => services.AddDecnetBusTransport<UnixBusTransportProvider>();
}
