using Decnet.Mutator.Events;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Fails options validation with a message naming <c>DECNET_INGEST_LOG_FILE</c>.</summary>
internal sealed class MutationEventOptionsValidator : IValidateOptions<MutationEventOptions>
{
    public ValidateOptionsResult Validate(string? name, MutationEventOptions options)
        => options.Validate() is { } error ? ValidateOptionsResult.Fail(error) : ValidateOptionsResult.Success;
}
