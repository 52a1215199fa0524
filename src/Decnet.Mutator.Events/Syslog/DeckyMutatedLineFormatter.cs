using System.Globalization;
using System.Text;

namespace Decnet.Mutator.Events;

/// <summary>
/// Builds the RFC 5424 <c>decky_mutated</c> line of docs/mutation-events.md. Pure: no I/O, no clock (the timestamp comes from the
/// event), so the exact bytes are testable alone.
/// </summary>
/// <example><code>&lt;134&gt;1 2026-11-22T10:00:00.123456+00:00 decky-01 mutator - decky_mutated [relay@55555 decky="decky-01" old_services="ssh,http" new_services="http,smb" trigger="operator" actor="alice"]</code></example>
public static class DeckyMutatedLineFormatter
{
    /// <summary>PRI: facility local0 (16) × 8 + severity info (6).</summary>
    public const int Priority = 134;

    /// <summary>APP-NAME.</summary>
    public const string AppName = "mutator";

    /// <summary>MSGID.</summary>
    public const string MessageId = "decky_mutated";

    /// <summary>SD-ID of the single SD-ELEMENT.</summary>
    public const string StructuredDataId = "relay@55555";

    /// <summary>Formats <paramref name="mutatedEvent"/> as one line, terminated by <c>\n</c>.</summary>
    public static string Format(DeckyMutatedEvent mutatedEvent)
    {
        ArgumentNullException.ThrowIfNull(mutatedEvent);
        var line = new StringBuilder(192);
        line.Append('<').Append(Priority.ToString(CultureInfo.InvariantCulture)).Append(">1 ")
            .Append(FormatTimestamp(mutatedEvent.Timestamp)).Append(' ')
            .Append(mutatedEvent.Decky).Append(' ')
            .Append(AppName).Append(" - ")
            .Append(MessageId).Append(" [").Append(StructuredDataId);
        AppendParam(line, "decky", mutatedEvent.Decky);
        AppendParam(line, "old_services", string.Join(',', mutatedEvent.OldServices));
        AppendParam(line, "new_services", string.Join(',', mutatedEvent.NewServices));
        AppendParam(line, "trigger", mutatedEvent.Trigger.ToWireString());
        if (mutatedEvent.Actor is { } actor)
        {
            AppendParam(line, "actor", actor);
        }

        return line.Append("]\n").ToString();
    }

    /// <summary>RFC 3339 in UTC with exactly six fractional digits and a <c>+00:00</c> offset.</summary>
    public static string FormatTimestamp(DateTimeOffset timestamp)
        => timestamp.UtcDateTime.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'ffffff'+00:00'", CultureInfo.InvariantCulture);

    /// <summary>Escapes an SD-PARAM-VALUE: <c>"</c>, <c>\</c> and <c>]</c> get a backslash (RFC 5424 §6.3.3).</summary>
    public static string EscapeParamValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.AsSpan().IndexOfAny("\"\\]") < 0)
        {
            return value;
        }

        var escaped = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            if (c is '"' or '\\' or ']')
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }

    private static void AppendParam(StringBuilder line, string name, string value)
        => line.Append(' ').Append(name).Append("=\"").Append(EscapeParamValue(value)).Append('"');
}
