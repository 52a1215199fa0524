namespace Decnet.Cli;

/// <summary>Turns library exception messages into one-line CLI messages.</summary>
internal static class CliMessages
{
    /// <summary>Removes the " (Parameter 'x')" suffix ArgumentException appends: a CLI user never sees parameter names.</summary>
    public static string WithoutParameterName(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var cut = message.IndexOf(" (Parameter", StringComparison.Ordinal);
        return cut < 0 ? message : message[..cut];
    }
}
