namespace Decnet.Bus.Abstractions.Tests.TestDoubles;

/// <summary>
/// Answers to <c>unix</c> (the default type) with a <see cref="RecordingBus"/>, so option tests can start hosts without
/// the Unix package, which this project deliberately does not reference.
/// </summary>
public sealed class UnixStandInProvider : IBusTransportProvider
{
    public string Name => DecnetBusOptions.UnixTransport;

    public IBus Create(IServiceProvider services, DecnetBusOptions options) => new RecordingBus { Options = options };
}
