namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>One queued EVT for one connection: the shared suffix plus the connection's matching subscription ids.</summary>
internal readonly struct OutboundItem(SharedEvent evt, uint sid, uint[]? sids)
{
    public SharedEvent Event { get; } = evt;

    /// <summary>The one matching sid when <see cref="Sids"/> is null.</summary>
    public uint Sid { get; } = sid;

    /// <summary>All matching sids when more than one of the connection's subscriptions matched.</summary>
    public uint[]? Sids { get; } = sids;

    public int Bytes => Event.Length + 16;
}
