using Decnet.Bus;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Decnet.Cli.Bus;

/// <summary>
/// Loads <see cref="DecnetBusOptions"/> the way every host does (<c>AddDecnetBus()</c>: the <c>DECNET_BUS_*</c>
/// variables, validated), then applies command-line flags on top, so the CLI and the workers agree on the socket.
/// </summary>
internal static class CliBusOptions
{
    /// <summary>Binds and validates the options; flags given on the command line win over the environment.</summary>
    /// <exception cref="OptionsValidationException">A <c>DECNET_BUS_*</c> value or flag is invalid; the message names it.</exception>
    public static DecnetBusOptions Load(string? socket = null, string? group = null, string? clientName = null, Action<DecnetBusOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddDecnetBus().AddUnixTransport().AddFakeTransport().AddNatsTransport();
        services.PostConfigure<DecnetBusOptions>(options =>
        {
            if (socket is not null)
            {
                options.SocketPath = socket;
            }

            if (group is not null)
            {
                options.Group = group;
                options.GroupConfigured = true;
            }

            if (clientName is not null)
            {
                options.ClientName = clientName;
            }

            configure?.Invoke(options);
        });

        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<DecnetBusOptions>>().Value;
    }
}
