namespace Decnet.Bus;

/// <summary>
/// Marks an assembly as providing a bus transport. <c>AddDecnetBus()</c> looks for the known transport assemblies
/// (<c>Decnet.Bus.Unix</c>, <c>Decnet.Bus.Fake</c>) next to the application and registers the provider named here,
/// so referencing the package is enough.
/// </summary>
/// <param name="providerType">A type implementing <see cref="IBusTransportProvider"/> with a public parameterless constructor.</param>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class DecnetBusTransportAttribute(Type providerType) : Attribute
{
    /// <summary>The provider type.</summary>
    public Type ProviderType { get; } = providerType;
}
