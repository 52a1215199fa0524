using System.Diagnostics.CodeAnalysis;
using Decnet.Mutator.Events.Internal;

namespace Decnet.Mutator.Events;

/// <summary>
/// One validated <c>decky_mutated</c> event: what the formatter writes and what the parser reads back. Instances are
/// always valid: the constructor enforces the rules of docs/mutation-events.md.
/// </summary>
public sealed class DeckyMutatedEvent : IEquatable<DeckyMutatedEvent>
{
    /// <summary>Creates and validates an event.</summary>
    /// <param name="timestamp">When it happened; stored in UTC, truncated to whole microseconds (the line's precision).</param>
    /// <param name="decky">1–63 ASCII letters, digits, <c>-</c> or <c>_</c>, starting with a letter or digit.</param>
    /// <param name="oldServices">At most 256 services before; each 1–64 printable ASCII characters other than space <c>, " \ ] =</c>; no duplicates.</param>
    /// <param name="newServices">The services after; same rules.</param>
    /// <param name="trigger">Why; <see cref="MutationTrigger.Creation"/> needs no old services, <see cref="MutationTrigger.Retirement"/> no new ones.</param>
    /// <param name="actor">Who, as free text without control characters; null or empty means none.</param>
    /// <exception cref="ArgumentException">A field breaks its rule; <see cref="ArgumentException.ParamName"/> names it.</exception>
    public DeckyMutatedEvent(
        DateTimeOffset timestamp,
        string decky,
        IEnumerable<string> oldServices,
        IEnumerable<string> newServices,
        MutationTrigger trigger,
        string? actor = null)
    {
        if (MutationFieldRules.DescribeDeckyError(decky) is { } deckyError)
        {
            throw new ArgumentException($"Decky id {deckyError}.", nameof(decky));
        }

        ArgumentNullException.ThrowIfNull(oldServices);
        ArgumentNullException.ThrowIfNull(newServices);
        if (!Enum.IsDefined(trigger))
        {
            throw new ArgumentException($"Undefined mutation trigger {(int)trigger}.", nameof(trigger));
        }

        var oldList = ValidateServices(oldServices, nameof(oldServices));
        var newList = ValidateServices(newServices, nameof(newServices));
        if (trigger == MutationTrigger.Creation && oldList.Length != 0)
        {
            throw new ArgumentException("Trigger \"creation\" requires an empty old service set.", nameof(oldServices));
        }

        if (trigger == MutationTrigger.Retirement && newList.Length != 0)
        {
            throw new ArgumentException("Trigger \"retirement\" requires an empty new service set.", nameof(newServices));
        }

        if (MutationFieldRules.DescribeActorError(actor) is { } actorError)
        {
            throw new ArgumentException($"Actor {actorError}.", nameof(actor));
        }

        var utc = timestamp.ToUniversalTime();
        Timestamp = new DateTimeOffset(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerMicrosecond), TimeSpan.Zero);
        Decky = decky;
        OldServices = oldList;
        NewServices = newList;
        Trigger = trigger;
        Actor = string.IsNullOrEmpty(actor) ? null : actor;
    }

    /// <summary>When it happened (UTC, microsecond precision).</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>The decky id (also the syslog HOSTNAME and the topic token).</summary>
    public string Decky { get; }

    /// <summary>The services before, in the given order.</summary>
    public IReadOnlyList<string> OldServices { get; }

    /// <summary>The services after, in the given order.</summary>
    public IReadOnlyList<string> NewServices { get; }

    /// <summary>Why the services changed.</summary>
    public MutationTrigger Trigger { get; }

    /// <summary>Who asked for it, or null.</summary>
    public string? Actor { get; }

    /// <summary>Parses one ingest-log line (trailing <c>\n</c> allowed) into an event, or says why it is not one.</summary>
    /// <param name="line">A full RFC 5424 line.</param>
    /// <param name="mutatedEvent">The event, when the line is a valid <c>decky_mutated</c> line.</param>
    /// <param name="reason">Why the line was rejected, when it was.</param>
    public static bool TryParse(
        string? line,
        [NotNullWhen(true)] out DeckyMutatedEvent? mutatedEvent,
        [NotNullWhen(false)] out string? reason)
        => DeckyMutatedLineReader.TryRead(line, out mutatedEvent, out reason);

    /// <inheritdoc />
    public bool Equals(DeckyMutatedEvent? other)
        => other is not null
            && Timestamp == other.Timestamp
            && string.Equals(Decky, other.Decky, StringComparison.Ordinal)
            && OldServices.SequenceEqual(other.OldServices, StringComparer.Ordinal)
            && NewServices.SequenceEqual(other.NewServices, StringComparer.Ordinal)
            && Trigger == other.Trigger
            && string.Equals(Actor, other.Actor, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as DeckyMutatedEvent);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Timestamp, Decky, Trigger, Actor, OldServices.Count, NewServices.Count);

    /// <inheritdoc />
    public override string ToString() => DeckyMutatedLineFormatter.Format(this).TrimEnd('\n');

    private static string[] ValidateServices(IEnumerable<string> services, string paramName)
    {
        var list = services.ToArray();
        if (list.Length > MutationFieldRules.MaxServicesPerSet)
        {
            throw new ArgumentException($"The set has {list.Length} services; the limit is {MutationFieldRules.MaxServicesPerSet}.", paramName);
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < list.Length; i++)
        {
            if (MutationFieldRules.DescribeServiceError(list[i]) is { } error)
            {
                throw new ArgumentException($"Service name #{i + 1} {error}.", paramName);
            }

            if (!seen.Add(list[i]))
            {
                throw new ArgumentException($"Service \"{list[i]}\" appears twice; a service set has no duplicates.", paramName);
            }
        }

        return list;
    }
}
