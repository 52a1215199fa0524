namespace Decnet.Bus.Abstractions.Tests.TestDoubles;

/// <summary>A provider registered through DI, answering to <c>test</c>.</summary>
public sealed class TestTransportProvider : IBusTransportProvider
{
    public string Name => "test";

    public IBus Create(IServiceProvider services, DecnetBusOptions options) => new RecordingBus { Options = options };
}
