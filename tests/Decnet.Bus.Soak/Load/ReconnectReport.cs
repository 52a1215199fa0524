namespace Decnet.Bus.Soak.Load;

/// <summary>How long the clients took to come back after a broker (re)start.</summary>
/// <param name="SlowestPublisher">Slowest publisher to be connected again.</param>
/// <param name="SlowestSubscriber">Slowest subscription to receive its first event through the new broker (reconnect + re-subscribe + first event).</param>
/// <param name="Problems">Clients that broke the 2 s bound or whose <c>Reconnected</c> count is wrong.</param>
public sealed record ReconnectReport(TimeSpan SlowestPublisher, TimeSpan SlowestSubscriber, IReadOnlyList<string> Problems)
{
    /// <summary>The bound for reconnect + re-subscribe.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(2);
}
