using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Decnet.Mutator.Events.Internal;

/// <summary>Turns a parsed RFC 5424 message into a <see cref="DeckyMutatedEvent"/>, checking every rule of docs/mutation-events.md.</summary>
internal static class DeckyMutatedLineReader
{
    private static readonly string[] _knownParams = ["decky", "old_services", "new_services", "trigger", "actor"];

    public static bool TryRead(
        string? line,
        [NotNullWhen(true)] out DeckyMutatedEvent? mutatedEvent,
        [NotNullWhen(false)] out string? reason)
    {
        mutatedEvent = null;
        var parsed = Rfc5424Parser.Parse(line);
        if (!parsed.Success)
        {
            reason = parsed.Truncated
                ? $"torn fragment ({Encoding.UTF8.GetByteCount(line!.TrimEnd('\n', '\r'))} bytes, a prefix of a line cut short, e.g. by a full disk): {parsed.Error}"
                : $"not RFC 5424: {parsed.Error}";
            return false;
        }

        var message = parsed.Message;
        reason = DescribeHeaderError(message);
        if (reason is not null)
        {
            return false;
        }

        var element = message.FindElement(DeckyMutatedLineFormatter.StructuredDataId);
        if (element is null)
        {
            reason = $"no [{DeckyMutatedLineFormatter.StructuredDataId} ...] element";
            return false;
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in element.Parameters)
        {
            if (!_knownParams.Contains(name, StringComparer.Ordinal))
            {
                reason = $"unknown parameter \"{name}\"";
                return false;
            }

            if (!values.TryAdd(name, value))
            {
                reason = $"parameter \"{name}\" appears twice";
                return false;
            }
        }

        foreach (var required in _knownParams.AsSpan(0, 4))
        {
            if (!values.ContainsKey(required))
            {
                reason = $"missing parameter \"{required}\"";
                return false;
            }
        }

        if (!string.Equals(values["decky"], message.Hostname, StringComparison.Ordinal))
        {
            reason = $"HOSTNAME \"{message.Hostname}\" differs from decky \"{values["decky"]}\"";
            return false;
        }

        if (!MutationTriggers.TryParse(values["trigger"], out var trigger))
        {
            reason = $"unknown trigger \"{values["trigger"]}\"";
            return false;
        }

        try
        {
            mutatedEvent = new DeckyMutatedEvent(
                message.Timestamp!.Value,
                values["decky"],
                SplitServices(values["old_services"]),
                SplitServices(values["new_services"]),
                trigger,
                values.GetValueOrDefault("actor"));
        }
        catch (ArgumentException ex)
        {
            reason = $"invalid {ex.ParamName}: {ex.Message}";
            return false;
        }

        if (values.TryGetValue("actor", out var actor) && actor.Length == 0)
        {
            // The formatter omits an empty actor, so actor="" is not something it writes.
            mutatedEvent = null;
            reason = "empty actor (an absent actor is omitted, never written empty)";
            return false;
        }

        return true;
    }

    private static string? DescribeHeaderError(Rfc5424Message message)
    {
        if (message.Version != 1)
        {
            return $"VERSION is {message.Version}, expected 1";
        }

        if (message.Timestamp is null)
        {
            return "TIMESTAMP is nil";
        }

        if (!string.Equals(message.AppName, DeckyMutatedLineFormatter.AppName, StringComparison.Ordinal))
        {
            return $"APP-NAME is \"{message.AppName ?? "-"}\", expected \"{DeckyMutatedLineFormatter.AppName}\"";
        }

        if (message.ProcId is not null)
        {
            return $"PROCID is \"{message.ProcId}\", expected \"-\"";
        }

        return string.Equals(message.MessageId, DeckyMutatedLineFormatter.MessageId, StringComparison.Ordinal)
            ? null
            : $"MSGID is \"{message.MessageId ?? "-"}\", expected \"{DeckyMutatedLineFormatter.MessageId}\"";
    }

    private static string[] SplitServices(string joined)
        => joined.Length == 0 ? [] : joined.Split(',');
}
