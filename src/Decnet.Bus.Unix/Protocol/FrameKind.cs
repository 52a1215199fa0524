namespace Decnet.Bus.Unix.Protocol;

/// <summary>The first element of every frame's MessagePack array (docs/wire-protocol.md §3).</summary>
internal enum FrameKind
{
    /// <summary>Client → broker, first frame: version, name, echo, requested queue size and frame limit.</summary>
    Hello = 1,

    /// <summary>Broker → client, answer to HELLO: version, broker pid, negotiated limits.</summary>
    Welcome = 2,

    /// <summary>Client → broker: publish.</summary>
    Pub = 3,

    /// <summary>Client → broker: subscribe a pattern under a client-chosen subscription id.</summary>
    Sub = 4,

    /// <summary>Broker → client: the subscription is live.</summary>
    SubAck = 5,

    /// <summary>Client → broker: drop a subscription.</summary>
    Unsub = 6,

    /// <summary>Broker → client: an event for one or more of the client's subscriptions.</summary>
    Evt = 7,

    /// <summary>Either direction: liveness probe.</summary>
    Ping = 8,

    /// <summary>Either direction: answer to PING.</summary>
    Pong = 9,

    /// <summary>Broker → client: an error; the broker closes the connection after sending it.</summary>
    Err = 10,

    /// <summary>Either direction: orderly goodbye; the sender closes after it.</summary>
    Bye = 11,

    /// <summary>Client → broker: ask for counters and per-connection rows.</summary>
    Stats = 12,

    /// <summary>Broker → client: answer to STATS.</summary>
    StatsReply = 13,

    /// <summary>
    /// Broker → client, only to a client that asked in HELLO: events the broker dropped from this connection's queue,
    /// per sid, since the previous EVT it wrote; sent right before the EVTs that follow them.
    /// </summary>
    Lost = 14,
}
