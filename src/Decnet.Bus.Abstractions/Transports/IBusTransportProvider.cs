namespace Decnet.Bus;

/// <summary>
/// A named transport <c>AddDecnetBus()</c> can select with <c>DECNET_BUS_TYPE</c>. Transport packages register one
/// (explicitly with their own <c>AddDecnet…Bus()</c> call, or automatically through
/// <see cref="DecnetBusTransportAttribute"/>), so the abstractions never reference a transport.
/// </summary>
public interface IBusTransportProvider
{
    /// <summary>The <c>DECNET_BUS_TYPE</c> value this provider answers to, e.g. <c>unix</c>.</summary>
    string Name { get; }

    /// <summary>Creates the bus for the host; the container owns and disposes it.</summary>
    IBus Create(IServiceProvider services, DecnetBusOptions options);
}
