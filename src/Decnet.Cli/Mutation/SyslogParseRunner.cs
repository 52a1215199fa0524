using System.Text.Encodings.Web;
using System.Text.Json;
using Decnet.Bus;
using Decnet.Mutator.Events;

namespace Decnet.Cli.Mutation;

/// <summary>
/// Runs <c>decnet syslog parse</c>: one JSON object per <c>decky_mutated</c> line on stdout, <c>line N: reason</c> on
/// stderr for each rejected line. Valid RFC 5424 lines with another MSGID belong to other programs and are skipped.
/// Lines end at LF (or CRLF) only: a bare CR is part of its line, which is then rejected; a line that is not UTF-8 or
/// is too long is rejected unread (<see cref="LogLines"/>).
/// </summary>
internal sealed class SyslogParseRunner(TextWriter output, TextWriter error)
{
    private static readonly JsonWriterOptions _jsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public async Task<int> RunAsync(Stream input, CancellationToken cancellationToken)
    {
        var rejected = 0;
        var number = 0;
        await foreach (var (line, refusal) in LogLines.ReadAsync(input, cancellationToken).ConfigureAwait(false))
        {
            number++;
            if (refusal is not null)
            {
                rejected++;
                await error.WriteLineAsync($"line {number}: {refusal}").ConfigureAwait(false);
                continue;
            }

            if (line.Length == 0)
            {
                continue;
            }

            if (DeckyMutatedEvent.TryParse(line, out var mutatedEvent, out var reason))
            {
                await output.WriteLineAsync(UntrustedText.Escape(ToJson(mutatedEvent))).ConfigureAwait(false);
                continue;
            }

            var parsed = Rfc5424Parser.Parse(line);
            if (parsed.Success && parsed.Message.MessageId != DeckyMutatedLineFormatter.MessageId)
            {
                continue;
            }

            rejected++;
            // The reason may quote the line; the log is written by others.
            await error.WriteLineAsync($"line {number}: {UntrustedText.Escape(reason)}").ConfigureAwait(false);
        }

        return rejected == 0 ? ExitCodes.Ok : ExitCodes.Failure;
    }

    /// <summary>
    /// The event as one JSON object: snake_case keys, services as arrays, <c>actor</c> only when present. The relaxed
    /// encoder leaves bidi and zero-width characters raw; the caller escapes them with
    /// <see cref="UntrustedText.Escape"/>, whose <c>\uXXXX</c> is the same character inside a JSON string.
    /// </summary>
    internal static string ToJson(DeckyMutatedEvent mutatedEvent)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, _jsonOptions))
        {
            json.WriteStartObject();
            json.WriteString("timestamp", DeckyMutatedLineFormatter.FormatTimestamp(mutatedEvent.Timestamp));
            json.WriteString("decky", mutatedEvent.Decky);
            WriteArray(json, "old_services", mutatedEvent.OldServices);
            WriteArray(json, "new_services", mutatedEvent.NewServices);
            json.WriteString("trigger", mutatedEvent.Trigger.ToWireString());
            if (mutatedEvent.Actor is { } actor)
            {
                json.WriteString("actor", actor);
            }

            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static void WriteArray(Utf8JsonWriter json, string name, IReadOnlyList<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }
}
