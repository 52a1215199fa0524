using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Decnet.Bus;

/// <summary>
/// The one registration of <see cref="DecnetBusOptions"/>'s binding (<see cref="DecnetBusOptionsSetup"/>) and check at
/// host start (<see cref="DecnetBusOptionsValidator"/>), shared by <c>AddDecnetBus()</c> and
/// <c>AddDecnetBusBroker()</c> so a broker embedded on its own reads the same <c>DECNET_BUS_*</c> variables, and a host
/// calling both, in either order, binds and validates once.
/// </summary>
internal static class DecnetBusOptionsRegistration
{
    /// <summary>Adds the binding and the start check; calling it again adds nothing.</summary>
    public static OptionsBuilder<DecnetBusOptions> Add(IServiceCollection services)
    {
        // ValidateOnStart keys its check by options type and name, so repeating it registers one check.
        var builder = services.AddOptions<DecnetBusOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<DecnetBusOptions>, DecnetBusOptionsSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DecnetBusOptions>, DecnetBusOptionsValidator>());
        return builder;
    }
}
