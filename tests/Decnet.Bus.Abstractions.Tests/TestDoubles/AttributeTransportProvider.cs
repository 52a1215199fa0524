using Decnet.Bus;
using Decnet.Bus.Abstractions.Tests.TestDoubles;

// Declared like a transport package would, so discovery through the attribute is tested for real.
[assembly: DecnetBusTransport(typeof(AttributeTransportProvider))]

namespace Decnet.Bus.Abstractions.Tests.TestDoubles;

/// <summary>A provider found through <see cref="DecnetBusTransportAttribute"/>; takes a DI dependency to prove activation.</summary>
public sealed class AttributeTransportProvider(TimeProvider time) : IBusTransportProvider
{
    public TimeProvider Time { get; } = time;

    public string Name => "attr";

    public IBus Create(IServiceProvider services, DecnetBusOptions options) => new RecordingBus { Options = options };
}
