using System.Reflection;
using Microsoft.Extensions.DependencyInjection;

namespace Decnet.Bus;

/// <summary>
/// Finds the <see cref="IBusTransportProvider"/> named by <c>DECNET_BUS_TYPE</c>: first among providers registered in
/// DI, then, for the known transport names, in the transport's assembly through its
/// <see cref="DecnetBusTransportAttribute"/>s. The assembly is loaded only when its transport is selected, so a host
/// pays nothing for packages it does not use, and the abstractions never reference a transport.
/// </summary>
internal sealed class BusTransportResolver(IEnumerable<IBusTransportProvider> registered, IReadOnlyDictionary<string, string>? knownAssemblies = null)
{
    /// <summary>Transport name → the assembly (and NuGet package) that provides it.</summary>
    public static readonly IReadOnlyDictionary<string, string> DefaultKnownAssemblies = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [DecnetBusOptions.UnixTransport] = "Decnet.Bus.Unix",
        [DecnetBusOptions.FakeTransport] = "Decnet.Bus.Fake",
        [DecnetBusOptions.NatsTransport] = "Decnet.Bus.Nats",
    };

    private readonly IReadOnlyDictionary<string, string> _knownAssemblies = knownAssemblies ?? DefaultKnownAssemblies;

    /// <summary>Creates the bus for <paramref name="options"/>; the caller (the container) owns it.</summary>
    /// <exception cref="InvalidOperationException">No provider answers to the type, or its package is not referenced.</exception>
    public IBus Create(IServiceProvider services, DecnetBusOptions options)
        => Resolve(services, options.Type).Create(services, options);

    public IBusTransportProvider Resolve(IServiceProvider services, string type)
    {
        foreach (var provider in registered)
        {
            if (string.Equals(provider.Name, type, StringComparison.OrdinalIgnoreCase))
            {
                return provider;
            }
        }

        if (!_knownAssemblies.TryGetValue(type, out var assemblyName))
        {
            throw new InvalidOperationException(
                $"{DecnetBusVariables.Type}='{Topics.Printable(type)}' names no registered transport; use one of: "
                + string.Join(", ", _knownAssemblies.Keys.Concat(registered.Select(p => p.Name)).Order(StringComparer.Ordinal))
                + ", or register a provider with AddDecnetBusTransport<TProvider>().");
        }

        Assembly assembly;
        try
        {
            assembly = Assembly.Load(new AssemblyName(assemblyName));
        }
        catch (FileNotFoundException ex)
        {
            throw new InvalidOperationException(
                $"{DecnetBusVariables.Type}='{type}' needs the {assemblyName} package, which this application does not reference. "
                + $"Add <PackageReference Include=\"{assemblyName}\" /> (or a project reference) to the host project.",
                ex);
        }

        foreach (var attribute in assembly.GetCustomAttributes<DecnetBusTransportAttribute>())
        {
            if (!typeof(IBusTransportProvider).IsAssignableFrom(attribute.ProviderType))
            {
                throw new InvalidOperationException(
                    $"{assemblyName} declares [DecnetBusTransport(typeof({attribute.ProviderType}))], which does not implement {nameof(IBusTransportProvider)}.");
            }

            var provider = (IBusTransportProvider)ActivatorUtilities.CreateInstance(services, attribute.ProviderType);
            if (string.Equals(provider.Name, type, StringComparison.OrdinalIgnoreCase))
            {
                return provider;
            }
        }

        throw new InvalidOperationException(
            $"{assemblyName} is loaded but declares no [assembly: DecnetBusTransport(...)] provider named '{type}'; "
            + "update the package or register the provider with AddDecnetBusTransport<TProvider>().");
    }
}
