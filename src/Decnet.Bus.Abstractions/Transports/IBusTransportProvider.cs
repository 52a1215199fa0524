namespace Decnet.Bus;

/// <summary>
/// A named transport <c>AddDecnetBus()</c> can select with <c>DECNET_BUS_TYPE</c>. Each transport package registers
/// its provider with its own call (<c>services.AddDecnetBus().AddUnixTransport()</c>), so the abstractions never
/// reference a transport and nothing is loaded by name.
/// </summary>
public interface IBusTransportProvider
{
    /// <summary>The <c>DECNET_BUS_TYPE</c> value this provider answers to, e.g. <c>unix</c>.</summary>
    string Name { get; }

    /// <summary>Creates the bus for the host; the container owns and disposes it.</summary>
    IBus Create(IServiceProvider services, DecnetBusOptions options);
}
