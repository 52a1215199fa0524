using Decnet.Mutator.Events;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Fails options validation (at host start) with a message naming <c>DECNET_INGEST_LOG_FILE</c> or the bad section key.</summary>
internal sealed class MutationEventOptionsValidator : IValidateOptions<MutationEventOptions>
{
    public ValidateOptionsResult Validate(string? name, MutationEventOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new[] { options.BindingError, options.Validate() }.OfType<string>().ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
