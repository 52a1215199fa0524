namespace Decnet.Bus.Soak.Load;

/// <summary>How long the clients took to come back after a broker (re)start.</summary>
/// <param name="SlowestPublisher">Slowest publisher to be connected again.</param>
/// <param name="SlowestSubscriber">Slowest subscription to receive its first event through the new broker (reconnect + re-subscribe + first event).</param>
/// <param name="Problems">Subscriptions whose <c>Reconnected</c> count is wrong: a broken guarantee.</param>
/// <param name="SlowRecoveries">
/// Clients that took <see cref="Bound"/> or longer after a restart: a latency, which the soak (scripts/soak.sh) counts
/// as a failure and the CI round only prints (no wall-clock assertions in xunit).
/// </param>
public sealed record ReconnectReport(
    TimeSpan SlowestPublisher, TimeSpan SlowestSubscriber, IReadOnlyList<string> Problems, IReadOnlyList<string> SlowRecoveries)
{
    /// <summary>The bound for reconnect + re-subscribe.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(2);
}
