namespace Decnet.Bus.Soak.Accounting;

/// <summary>How a broker lifetime ended.</summary>
public enum EpochEnd
{
    /// <summary>STATS barrier, drain, then SIGTERM: every event is accounted exactly.</summary>
    Graceful,

    /// <summary>SIGKILL: events inside the broker are lost and its counters die with it.</summary>
    Killed,
}
