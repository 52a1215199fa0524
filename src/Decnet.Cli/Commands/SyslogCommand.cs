using System.CommandLine;
using Decnet.Bus;
using Decnet.Cli.Mutation;

namespace Decnet.Cli.Commands;

/// <summary>
/// <c>decnet syslog parse FILE|-</c>: prints one JSON object per <c>decky_mutated</c> line and <c>line N: reason</c>
/// on stderr for each rejected line. Exit 0 when nothing was rejected, 1 otherwise, 2 for bad arguments or a file
/// that cannot be opened or read (one line, <c>syslog: cannot read PATH: reason</c>).
/// </summary>
internal static class SyslogCommand
{
    /// <summary>Builds the command.</summary>
    /// <param name="standardInput">
    /// What <c>-</c> reads; null means the process's standard input, as bytes: <see cref="Console.In"/> would decode
    /// it in the locale's charset, and the log is UTF-8 whatever the locale.
    /// </param>
    public static Command Create(Stream? standardInput = null)
    {
        var file = new Argument<string>("file") { Description = "The ingest log to read, or - for standard input." };
        var parse = new Command("parse", "Parse decky_mutated lines of an RFC 5424 ingest log into JSON, one object per line.") { file };
        parse.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var path = parseResult.GetRequiredValue(file);
            var runner = new SyslogParseRunner(output, error);
            var shownPath = path == "-" ? "standard input" : UntrustedText.Escape(path);
            try
            {
                if (path == "-")
                {
                    return await runner.RunAsync(standardInput ?? Console.OpenStandardInput(), cancellationToken).ConfigureAwait(false);
                }

                var log = Open(path);
                await using (log.ConfigureAwait(false))
                {
                    return await runner.RunAsync(log, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (LogReadException ex)
            {
                // EIO while reading (/proc/self/mem, a failing disk): one line, as for a file that cannot be opened.
                // .NET ends the errno's text with " : 'PATH'", which the line already names.
                var suffix = $" : '{path}'";
                var reason = ex.Message.EndsWith(suffix, StringComparison.Ordinal) ? ex.Message[..^suffix.Length] : ex.Message;
                return await CannotReadAsync(error, shownPath, reason).ConfigureAwait(false);
            }
            catch (UnopenableLogException ex)
            {
                return await CannotReadAsync(error, shownPath, ex.Message).ConfigureAwait(false);
            }
        });

        return new Command("syslog", "RFC 5424 ingest log tools.") { parse };
    }

    private static FileStream Open(string path)
    {
        try
        {
            // Shared for writing and deletion: the log being read is usually live.
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // .NET says "Access to the path is denied" for a directory, which sends the reader to its permissions.
            throw new UnopenableLogException(Directory.Exists(path) ? "it is a directory" : ex.Message);
        }
    }

    /// <summary>A FILE that cannot be opened or read: <c>syslog: cannot read PATH: reason</c>, exit 2.</summary>
    private static async Task<int> CannotReadAsync(TextWriter error, string shownPath, string reason)
    {
        await error.WriteLineAsync($"syslog: cannot read {shownPath}: {UntrustedText.Escape(reason)}").ConfigureAwait(false);
        return ExitCodes.Usage;
    }

    /// <summary>The FILE could not be opened; the message says why.</summary>
    private sealed class UnopenableLogException(string message) : Exception(message);
}
