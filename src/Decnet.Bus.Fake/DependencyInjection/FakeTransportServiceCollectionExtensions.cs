using Decnet.Bus.Fake;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the <c>fake</c> transport of package <c>Decnet.Bus.Fake</c>.</summary>
public static class FakeTransportServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="FakeBusTransportProvider"/>, so <c>DECNET_BUS_TYPE=fake</c> selects it: <c>services.AddDecnetBus().AddFakeTransport()</c>.
    /// An explicit call instead of discovery by assembly name, so a trimmed application keeps the transport.
    /// Calling it twice is harmless.
    /// </summary>
    public static IServiceCollection AddFakeTransport(this IServiceCollection services)
        => services.AddDecnetBusTransport<FakeBusTransportProvider>();
}
