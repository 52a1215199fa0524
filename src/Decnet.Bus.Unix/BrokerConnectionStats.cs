namespace Decnet.Bus.Unix;

/// <summary>One client connection as the broker sees it.</summary>
/// <param name="Name">The name the client announced in HELLO.</param>
/// <param name="Pid">Peer process id (SO_PEERCRED).</param>
/// <param name="Uid">Peer user id (SO_PEERCRED).</param>
/// <param name="Gid">Peer group id (SO_PEERCRED).</param>
/// <param name="Subscriptions">Subscriptions the connection holds.</param>
/// <param name="Queued">Frames waiting in its outbound queue.</param>
/// <param name="Dropped">Events dropped from its full outbound queue.</param>
/// <param name="Delivered">Events queued to it.</param>
/// <param name="Published">PUB frames it sent.</param>
public sealed record BrokerConnectionStats(
    string Name,
    int Pid,
    int Uid,
    int Gid,
    int Subscriptions,
    long Queued,
    long Dropped,
    long Delivered,
    long Published)
{
    /// <summary>Bytes held in its outbound queue (bounded by <c>DECNET_BUS_MAX_QUEUE_BYTES</c>).</summary>
    public long QueuedBytes { get; init; }

    /// <summary>
    /// The wire protocol the client speaks: <c>msgpack</c> (docs/wire-protocol.md) or <c>python</c> (the Python bus's
    /// text protocol, docs/text-protocol.md). Brokers before the field existed send no value; it reads as <c>msgpack</c>.
    /// </summary>
    public string Protocol { get; init; } = MessagePackProtocol;

    /// <summary>The <see cref="Protocol"/> value of a MessagePack client.</summary>
    public const string MessagePackProtocol = "msgpack";

    /// <summary>The <see cref="Protocol"/> value of a client speaking the Python bus's text protocol.</summary>
    public const string PythonProtocol = "python";
}
