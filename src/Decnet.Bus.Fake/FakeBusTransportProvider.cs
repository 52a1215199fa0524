using Microsoft.Extensions.Logging;

namespace Decnet.Bus.Fake;

/// <summary>
/// Lets <c>AddDecnetBus()</c> build a <see cref="FakeBus"/> for <c>DECNET_BUS_TYPE=fake</c>. Honors
/// <see cref="DecnetBusOptions.Echo"/>, <see cref="DecnetBusOptions.QueueSize"/>, <see cref="DecnetBusOptions.ClientName"/>,
/// <see cref="DecnetBusOptions.MaxTopicBytes"/>, <see cref="DecnetBusOptions.MaxPatternTokens"/> and
/// <see cref="DecnetBusOptions.MaxFrameBytes"/>; uses a registered <see cref="FakeBusNetwork"/>,
/// <see cref="TimeProvider"/> and <see cref="ILoggerFactory"/> when the container has them.
/// </summary>
public sealed class FakeBusTransportProvider : IBusTransportProvider
{
    /// <inheritdoc />
    public string Name => DecnetBusOptions.FakeTransport;

    /// <inheritdoc />
    public IBus Create(IServiceProvider services, DecnetBusOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        return new FakeBus(new FakeBusOptions
        {
            Echo = options.Echo,
            QueueSize = options.QueueSize,
            ClientName = options.ClientName,
            MaxTopicBytes = options.MaxTopicBytes,
            MaxPatternTokens = options.MaxPatternTokens,
            MaxFrameBytes = options.MaxFrameBytes,
            Network = services.GetService(typeof(FakeBusNetwork)) as FakeBusNetwork,
            TimeProvider = services.GetService(typeof(TimeProvider)) as TimeProvider ?? TimeProvider.System,
            LoggerFactory = services.GetService(typeof(ILoggerFactory)) as ILoggerFactory,
        });
    }
}
