using Decnet.Bus;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Decnet.Bus.Nats;

/// <summary>The <c>nats</c> transport for <c>AddDecnetBus()</c>: a <see cref="NatsBus"/> client of <c>DECNET_BUS_NATS_URL</c>.</summary>
public sealed class NatsBusTransportProvider : IBusTransportProvider
{
    /// <inheritdoc />
    public string Name => DecnetBusOptions.NatsTransport;

    /// <inheritdoc />
    public IBus Create(IServiceProvider services, DecnetBusOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        return new NatsBus(options, services.GetService<ILoggerFactory>());
    }
}
