namespace Decnet.Bench.Load.Roles;

/// <summary>Where a system adapter reports what one of its client connections received.</summary>
internal interface IEventSink
{
    /// <summary>One benchmark event; <paramref name="sentAt"/> is the publisher's monotonic ns when latency is on, else 0.</summary>
    void OnEvent(int client, long sentAt);

    /// <summary>The publisher's end marker reached this client.</summary>
    void OnEnd(int client);
}
