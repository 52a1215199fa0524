namespace Decnet.Mutator.Events.Internal;

/// <summary>What happened to one append: success, or a failure kind (for counting) and a human reason.</summary>
internal readonly record struct AppendOutcome(string? FailureKind, string? Reason)
{
    public static AppendOutcome Written { get; } = new(null, null);

    public bool Succeeded => FailureKind is null;

    public static AppendOutcome Failed(string kind, string reason) => new(kind, reason);
}
