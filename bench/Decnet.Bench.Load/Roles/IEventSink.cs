namespace Decnet.Bench.Load.Roles;

/// <summary>Where a system adapter reports what one of its client connections received.</summary>
internal interface IEventSink
{
    /// <summary>
    /// One benchmark event; <paramref name="sentAt"/> is the stamp the publisher put in it when <see cref="WantsStamp"/>
    /// said so (its monotonic ns, or <see cref="RoleArgs.WarmupStamp"/> for a warm-up event), else 0.
    /// </summary>
    void OnEvent(int client, long sentAt);

    /// <summary>
    /// Whether the next event's stamp is needed: always for latencies, and for a subscriber skipping a warm-up (W1S, W2S) only
    /// until this connection's first measured event, so a subscriber that only counts reads no stamp after that.
    /// </summary>
    bool WantsStamp(int client);

    /// <summary>The publisher's end marker reached this client.</summary>
    void OnEnd(int client);
}
