using Decnet.Bus.Soak.Accounting;

namespace Decnet.Bus.Soak.Soak;

/// <summary>What a soak run did and every failure it saw.</summary>
/// <param name="Rounds">Rounds completed.</param>
/// <param name="Kills">SIGKILLs survived.</param>
/// <param name="GracefulStops">Graceful stops (each after an exact balance).</param>
/// <param name="ExactlyAccounted">Matching deliveries accounted exactly in graceful epochs (delivered + dropped).</param>
/// <param name="LastBalance">The last graceful epoch's account, if any.</param>
/// <param name="Failures">Every broken guarantee, described (not latencies: <paramref name="SlowRecoveries"/>).</param>
/// <param name="SlowestRestart">Slowest reconnect + re-subscribe + first event after any restart.</param>
/// <param name="SlowRecoveries">
/// Clients back 2 s or more after a restart: the soak's entry point fails on them, the CI round prints them.
/// </param>
public sealed record SoakResult(
    int Rounds, int Kills, int GracefulStops, long ExactlyAccounted, EpochAccount? LastBalance, IReadOnlyList<string> Failures,
    TimeSpan SlowestRestart, IReadOnlyList<string> SlowRecoveries);
