using System.CommandLine.Parsing;
using System.Globalization;

namespace Decnet.Cli.Usage;

/// <summary>
/// Parsers for numeric options that turn every bad value into a parse error (so one line and exit 2 through
/// <see cref="CliInvocation"/>) instead of an exception inside System.CommandLine's validation.
/// </summary>
internal static class CliNumbers
{
    /// <summary>
    /// The longest timeout a <see cref="CancellationTokenSource"/> accepts, in whole seconds (about 49 days): a longer
    /// one is almost certainly a typo, and <c>0</c> already means "no timeout".
    /// </summary>
    public const int MaxTimeoutSeconds = 4_294_967;

    /// <summary>A count: a whole number from 0 to <see cref="int.MaxValue"/>.</summary>
    public static int Count(ArgumentResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = Token(result);
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        result.AddError($"{OptionName(result)} must be a whole number from 0 to {int.MaxValue}, not \"{text}\".");
        return 0;
    }

    /// <summary>A number of seconds: finite, from 0 to <see cref="MaxTimeoutSeconds"/>.</summary>
    public static double Seconds(ArgumentResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = Token(result);
        if (double.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var value)
            && double.IsFinite(value) && value <= MaxTimeoutSeconds)
        {
            return value;
        }

        result.AddError($"{OptionName(result)} must be a number of seconds from 0 to {MaxTimeoutSeconds}, not \"{text}\".");
        return 0;
    }

    private static string Token(ArgumentResult result) => result.Tokens.Count == 0 ? string.Empty : result.Tokens[^1].Value;

    private static string OptionName(ArgumentResult result) => (result.Parent as OptionResult)?.Option.Name ?? result.Argument.Name;
}
