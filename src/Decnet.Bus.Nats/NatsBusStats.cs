namespace Decnet.Bus.Nats;

/// <summary>What a <see cref="NatsBus"/> knows about its NATS connection; <c>decnet stats</c> prints it.</summary>
/// <param name="State">The client's connection state: Open, Connecting, Reconnecting or Closed.</param>
/// <param name="Url">The configured server URL(s).</param>
/// <param name="Server">Name, id and version of the server connected to (as the server says), or null.</param>
/// <param name="MaxPayload">The server's largest message in bytes (0 before the first connection).</param>
/// <param name="Counters">This client's published / delivered / dropped counters.</param>
/// <param name="Subscriptions">Live subscriptions of this client.</param>
/// <param name="Reconnects">Connections re-established after a loss.</param>
/// <param name="Disconnects">Connections lost.</param>
/// <param name="Rejected">Messages received that were not a valid envelope on a valid topic (logged, not delivered).</param>
/// <param name="SlowConsumer">Times the server reported this client as a slow consumer.</param>
/// <param name="ServerErrors">Errors (<c>-ERR</c>) the server sent.</param>
/// <param name="PublishWaits">
/// Times a publish waited a further second for room in the client's write buffer on an open connection: the server
/// reads slower than this client publishes. Events dropped once a stall outlasts DECNET_BUS_STALL_TIMEOUT_S are in
/// <see cref="Counters"/>.
/// </param>
public sealed record NatsBusStats(
    string State,
    string Url,
    string? Server,
    long MaxPayload,
    BusCounters Counters,
    int Subscriptions,
    long Reconnects,
    long Disconnects,
    long Rejected,
    long SlowConsumer,
    long ServerErrors,
    long PublishWaits);
