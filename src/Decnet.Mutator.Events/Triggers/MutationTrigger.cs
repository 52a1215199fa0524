namespace Decnet.Mutator.Events;

/// <summary>
/// Why a decky's services changed. On the wire (syslog <c>trigger="…"</c> and the bus payload) each value is the
/// lowercase string returned by <see cref="MutationTriggers.ToWireString"/>; never use the enum's numeric value.
/// </summary>
public enum MutationTrigger
{
    /// <summary><c>creation</c>: the decky was created; the old service set must be empty.</summary>
    Creation,

    /// <summary><c>retirement</c>: the decky was retired; the new service set must be empty.</summary>
    Retirement,

    /// <summary><c>scheduled</c>: a scheduled rotation.</summary>
    Scheduled,

    /// <summary><c>operator</c>: an operator asked for it.</summary>
    Operator,

    /// <summary><c>behavioral</c>: attacker behaviour triggered it.</summary>
    Behavioral,

    /// <summary><c>healer</c>: the healer repaired the decky.</summary>
    Healer,

    /// <summary><c>federation</c>: a federated peer requested it.</summary>
    Federation,
}
