using Decnet.Bus;
using Decnet.Cli.Mutation;

namespace Decnet.Cli.Usage;

/// <summary>
/// Runs a library call on what the user typed and turns the <see cref="ArgumentException"/> the library documents for
/// bad input (an invalid or too long topic, an event over the frame limit), and the broker's refusal of a pattern
/// (<see cref="BusSubscriptionRejectedException"/>, e.g. over DECNET_BUS_MAX_PATTERN_TOKENS), into a
/// <see cref="CliUsageException"/>.
/// </summary>
internal static class CallerInput
{
    /// <summary>
    /// Refuses <paramref name="value"/> (a topic or a pattern, named by <paramref name="what"/>) over
    /// <paramref name="maxBytes"/> UTF-8 bytes: checked before connecting, so a usage error does not depend on whether
    /// the broker runs.
    /// </summary>
    /// <exception cref="CliUsageException">The value is too long.</exception>
    public static void CheckLength(string what, string value, int maxBytes)
    {
        var bytes = System.Text.Encoding.UTF8.GetByteCount(value);
        if (bytes > maxBytes)
        {
            throw new CliUsageException($"{what} is {bytes} UTF-8 bytes; the limit is {maxBytes}");
        }
    }

    /// <summary>Runs <paramref name="check"/> on <paramref name="value"/>.</summary>
    /// <exception cref="CliUsageException">The check rejected the value.</exception>
    public static void Check(Action<string> check, string value)
    {
        ArgumentNullException.ThrowIfNull(check);
        try
        {
            check(value);
        }
        catch (ArgumentException ex)
        {
            throw Usage(ex);
        }
    }

    /// <summary>Awaits <paramref name="call"/>.</summary>
    /// <exception cref="CliUsageException">The call rejected its arguments.</exception>
    public static async Task<T> CheckAsync<T>(Func<ValueTask<T>> call)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (ArgumentException ex)
        {
            throw Usage(ex);
        }
        catch (BusSubscriptionRejectedException ex)
        {
            throw Usage(ex);
        }
    }

    /// <summary>Awaits <paramref name="call"/>.</summary>
    /// <exception cref="CliUsageException">The call rejected its arguments.</exception>
    public static async Task CheckAsync(Func<ValueTask> call)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            await call().ConfigureAwait(false);
        }
        catch (ArgumentException ex)
        {
            throw Usage(ex);
        }
        catch (BusSubscriptionRejectedException ex)
        {
            throw Usage(ex);
        }
    }

    private static CliUsageException Usage(ArgumentException ex) => new(CliMessages.WithoutParameterName(ex.Message));

    // The broker's ERR text inside is escaped by the client already; CliInvocation escapes the line once more.
    private static CliUsageException Usage(BusSubscriptionRejectedException ex) => new(ex.Message);
}
