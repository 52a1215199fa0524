using Decnet.Bus;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Decnet.Bus.Unix;

/// <summary>The <c>unix</c> transport for <c>AddDecnetBus()</c>: a <see cref="UnixSocketBus"/> client of the host's broker.</summary>
public sealed class UnixBusTransportProvider : IBusTransportProvider
{
    /// <inheritdoc />
    public string Name => DecnetBusOptions.UnixTransport;

    /// <inheritdoc />
    public IBus Create(IServiceProvider services, DecnetBusOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        var logger = services.GetService<ILoggerFactory>()?.CreateLogger<UnixSocketBus>();
        var time = services.GetService<TimeProvider>();
        return new UnixSocketBus(options, logger, time);
    }
}
