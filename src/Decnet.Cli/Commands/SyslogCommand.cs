using System.CommandLine;
using Decnet.Cli.Mutation;

namespace Decnet.Cli.Commands;

/// <summary>
/// <c>decnet syslog parse FILE|-</c>: prints one JSON object per <c>decky_mutated</c> line and <c>line N: reason</c>
/// on stderr for each rejected line. Exit 0 when nothing was rejected, 1 otherwise, 2 for bad arguments or an
/// unreadable file.
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
            if (path == "-")
            {
                return await runner.RunAsync(standardInput ?? Console.OpenStandardInput(), cancellationToken).ConfigureAwait(false);
            }

            var log = Open(path);
            await using (log.ConfigureAwait(false))
            {
                return await runner.RunAsync(log, cancellationToken).ConfigureAwait(false);
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
            throw new CliUsageException($"cannot read {path}: {ex.Message}");
        }
    }
}
