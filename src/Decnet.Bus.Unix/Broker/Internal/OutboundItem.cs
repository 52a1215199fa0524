using System.Runtime.CompilerServices;

namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>
/// One queued EVT for one connection: the shared suffix plus the connection's matching subscription ids. The queue
/// that holds it calls <see cref="Release"/> once, when it is written, dropped or discarded.
/// </summary>
internal readonly struct OutboundItem(SharedEvent evt, uint sid, uint[]? sids)
{
    public SharedEvent Event { get; } = evt;

    /// <summary>The one matching sid when <see cref="Sids"/> is null.</summary>
    public uint Sid { get; } = sid;

    /// <summary>
    /// All matching sids, when more than one of the connection's subscriptions matched. Never changed once made, so
    /// every event with the same matches shares one array (<see cref="BrokerConnection.SidsFor"/>).
    /// </summary>
    public uint[]? Sids { get; } = sids;

    /// <summary>
    /// What the item holds for its connection: the shared suffix and the sid list (each counted whole for every holder,
    /// an upper bound) and the queue slot (docs/Service-Bus.md, "Broker limits").
    /// </summary>
    public int Bytes => Event.Length + Unsafe.SizeOf<OutboundItem>() + (Sids is null ? 0 : Sids.Length * sizeof(uint));

    /// <summary>Gives back the item's reference to the shared event.</summary>
    public void Release() => Event.Release();
}
