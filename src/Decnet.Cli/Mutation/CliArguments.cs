using System.CommandLine;

namespace Decnet.Cli.Mutation;

/// <summary>
/// Option helpers that leave every argument error to the command itself, so each one becomes one clear line and exit
/// code 2 instead of System.CommandLine's help dump and exit 1.
/// </summary>
internal static class CliArguments
{
    /// <summary>An option that accepts any number of values, so "missing" and "repeated" are ours to report.</summary>
    public static Option<string[]> Lenient(string name, string description) => new(name)
    {
        Description = description,
        Arity = ArgumentArity.ZeroOrMore,
    };

    /// <summary>The single value of <paramref name="option"/>, or null when absent.</summary>
    /// <exception cref="CliUsageException">Given more than once, or without a value.</exception>
    public static string? Single(ParseResult parseResult, Option<string[]> option)
    {
        var found = parseResult.GetResult(option);
        if (found is null)
        {
            return null;
        }

        var values = parseResult.GetValue(option) ?? [];
        return values.Length switch
        {
            1 => values[0],
            0 => throw new CliUsageException($"{option.Name} needs a value"),
            _ => throw new CliUsageException($"{option.Name} takes one value, got {values.Length}"),
        };
    }

    /// <summary>Rejects tokens System.CommandLine did not match (unknown options, stray words).</summary>
    /// <exception cref="CliUsageException">There is at least one.</exception>
    public static void EnsureNoUnmatchedTokens(ParseResult parseResult)
    {
        if (parseResult.UnmatchedTokens.Count > 0)
        {
            throw new CliUsageException($"unexpected argument \"{parseResult.UnmatchedTokens[0]}\"");
        }
    }
}
