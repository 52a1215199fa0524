using System.Diagnostics.CodeAnalysis;

namespace Decnet.Mutator.Events;

/// <summary>Converts <see cref="MutationTrigger"/> to and from its exact wire string.</summary>
public static class MutationTriggers
{
    /// <summary>Every trigger, in declaration order.</summary>
    public static IReadOnlyList<MutationTrigger> All { get; } =
    [
        MutationTrigger.Creation,
        MutationTrigger.Retirement,
        MutationTrigger.Scheduled,
        MutationTrigger.Operator,
        MutationTrigger.Behavioral,
        MutationTrigger.Healer,
        MutationTrigger.Federation,
    ];

    /// <summary>Returns the wire string: <c>creation</c>, <c>retirement</c>, <c>scheduled</c>, <c>operator</c>, <c>behavioral</c>, <c>healer</c> or <c>federation</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined trigger.</exception>
    public static string ToWireString(this MutationTrigger trigger) => trigger switch
    {
        MutationTrigger.Creation => "creation",
        MutationTrigger.Retirement => "retirement",
        MutationTrigger.Scheduled => "scheduled",
        MutationTrigger.Operator => "operator",
        MutationTrigger.Behavioral => "behavioral",
        MutationTrigger.Healer => "healer",
        MutationTrigger.Federation => "federation",
        _ => throw new ArgumentOutOfRangeException(nameof(trigger), trigger, "Undefined mutation trigger."),
    };

    /// <summary>Parses an exact (case-sensitive) wire string.</summary>
    public static bool TryParse([NotNullWhen(true)] string? value, out MutationTrigger trigger)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.ToWireString(), value, StringComparison.Ordinal))
            {
                trigger = candidate;
                return true;
            }
        }

        trigger = default;
        return false;
    }

    /// <summary>Parses an exact (case-sensitive) wire string.</summary>
    /// <exception cref="ArgumentException">The value is not one of the wire strings.</exception>
    public static MutationTrigger Parse(string value)
    {
        if (TryParse(value, out var trigger))
        {
            return trigger;
        }

        throw new ArgumentException(
            $"Unknown mutation trigger \"{value}\"; expected one of {string.Join(", ", All.Select(t => t.ToWireString()))}.",
            nameof(value));
    }
}
