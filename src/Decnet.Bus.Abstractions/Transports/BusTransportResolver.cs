namespace Decnet.Bus;

/// <summary>
/// Finds the <see cref="IBusTransportProvider"/> named by <c>DECNET_BUS_TYPE</c> among the providers registered in DI
/// (<c>AddUnixTransport()</c>, <c>AddFakeTransport()</c>, <c>AddNatsTransport()</c> or
/// <c>AddDecnetBusTransport&lt;T&gt;()</c>). Nothing is loaded by name, so a trimmed application keeps exactly the
/// transports it registers; a missing one is reported with the package and the call that adds it.
/// </summary>
internal sealed class BusTransportResolver(IEnumerable<IBusTransportProvider> registered)
{
    /// <summary>Transport name → the package and the registration call that provide it.</summary>
    public static readonly IReadOnlyDictionary<string, (string Package, string Call)> Shipped =
        new Dictionary<string, (string, string)>(StringComparer.OrdinalIgnoreCase)
        {
            [DecnetBusOptions.UnixTransport] = ("Decnet.Bus.Unix", "AddUnixTransport()"),
            [DecnetBusOptions.FakeTransport] = ("Decnet.Bus.Fake", "AddFakeTransport()"),
            [DecnetBusOptions.NatsTransport] = ("Decnet.Bus.Nats", "AddNatsTransport()"),
        };

    private readonly IBusTransportProvider[] _registered = [.. registered];

    /// <summary>The registered transport names, sorted.</summary>
    public IReadOnlyList<string> Names => [.. _registered.Select(p => p.Name).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal)];

    /// <summary>Creates the bus for <paramref name="options"/>; the caller (the container) owns it.</summary>
    /// <exception cref="InvalidOperationException">No registered provider answers to the type.</exception>
    public IBus Create(IServiceProvider services, DecnetBusOptions options)
        => (Find(options.Type) ?? throw new InvalidOperationException(Missing(options.Type))).Create(services, options);

    /// <summary>The provider answering to <paramref name="type"/> (case-insensitive), or null.</summary>
    public IBusTransportProvider? Find(string type)
        => Array.Find(_registered, p => string.Equals(p.Name, type, StringComparison.OrdinalIgnoreCase));

    /// <summary>Why <paramref name="type"/> cannot be used: the package to reference, or the names that can.</summary>
    public string Missing(string type)
    {
        if (Shipped.TryGetValue(type, out var shipped))
        {
            return $"{DecnetBusVariables.Type}='{Topics.Printable(type)}' needs the {shipped.Package} package, which is not registered: "
                + $"reference {shipped.Package} and call services.AddDecnetBus().{shipped.Call}";
        }

        var names = Names;
        return $"{DecnetBusVariables.Type}='{Topics.Printable(type)}' is not a known transport; "
            + (names.Count == 0 ? "no transport is registered" : $"use one of: {string.Join(", ", names)}")
            + " (the shipped ones: unix, fake, nats, each added by its package's Add…Transport() call)";
    }
}
