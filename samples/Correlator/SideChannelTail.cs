using Decnet.Bus;
using Decnet.Mutator.Events;

namespace Decnet.Samples.Correlator;

/// <summary>Reads an ingest log from the start and, when following, waits for it to grow.</summary>
public sealed class SideChannelTail(string path, TextWriter output, TextWriter error)
{
    private static readonly TimeSpan _pollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Prints every decky_mutated event; returns 0, or 1 when a claimed decky_mutated line was invalid.</summary>
    public async Task<int> RunAsync(bool follow, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        var invalid = 0;
        var number = 0;
        while (true)
        {
            var line = await reader.ReadLineAsync(cancellationToken);
            if (line is null)
            {
                if (!follow)
                {
                    return invalid == 0 ? 0 : 1;
                }

                // A file has no "grew" notification that works everywhere; a short poll is what tail -F does too.
                await Task.Delay(_pollInterval, cancellationToken);
                continue;
            }

            number++;

            // The actor is free text: printed through UntrustedText so no bidi or zero-width character reaches a terminal.
            if (DeckyMutatedEvent.TryParse(line, out var mutation, out var reason))
            {
                await output.WriteLineAsync(
                    $"{mutation.Timestamp:O} {mutation.Decky}: [{string.Join(',', mutation.OldServices)}] -> " +
                    $"[{string.Join(',', mutation.NewServices)}] ({mutation.Trigger.ToWireString()}{(mutation.Actor is null ? "" : $" by {UntrustedText.Escape(mutation.Actor)}")})");
            }
            else if (Rfc5424Parser.Parse(line) is { Success: true } other && other.Message.MessageId != "decky_mutated")
            {
                // Another program's line in a shared syslog file: not ours to judge.
            }
            else
            {
                invalid++;
                await error.WriteLineAsync($"line {number}: {reason}");
            }
        }
    }
}
