using Decnet.Bus;
using Decnet.Mutator.Events;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Binds <see cref="MutationEventOptions"/>: the <c>DecnetMutationEvents</c> section (keys are the property names), then
/// <c>DECNET_INGEST_LOG_FILE</c> from the configuration root or else the <see cref="DecnetBusEnvironment"/> (the process
/// environment unless a host registers another). A bad section is recorded for the validator, so host start reports it.
/// </summary>
internal sealed class MutationEventOptionsSetup(IServiceProvider services) : IConfigureOptions<MutationEventOptions>
{
    public void Configure(MutationEventOptions options)
    {
        var configuration = services.GetService<IConfiguration>();
        var environment = services.GetService<DecnetBusEnvironment>() ?? DecnetBusEnvironment.Process;
        if (configuration is not null)
        {
            try
            {
                configuration.GetSection(MutationEventOptions.SectionName).Bind(options, binder => binder.ErrorOnUnknownConfiguration = true);
            }
            catch (InvalidOperationException ex)
            {
                options.BindingError = ex.Message;
            }
        }

        if ((configuration?[MutationEventOptions.LogFileVariable] ?? environment.Get(MutationEventOptions.LogFileVariable)) is { } logFile)
        {
            options.LogFile = logFile;
        }
    }
}
