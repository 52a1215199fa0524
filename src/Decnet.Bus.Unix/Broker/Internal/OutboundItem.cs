using System.Buffers;
using System.Runtime.CompilerServices;

namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>
/// One queued EVT for one connection: the shared suffix plus the connection's matching subscription ids. The queue
/// that holds it owns it and calls <see cref="Release"/> once, when it is written, dropped or discarded.
/// </summary>
internal readonly struct OutboundItem(SharedEvent evt, uint sid, uint[]? sids, int sidCount)
{
    public SharedEvent Event { get; } = evt;

    /// <summary>The one matching sid when <see cref="Sids"/> is null.</summary>
    public uint Sid { get; } = sid;

    /// <summary>
    /// All matching sids, when more than one of the connection's subscriptions matched: an array rented from
    /// <see cref="ArrayPool{T}.Shared"/> (so routing allocates nothing), of which the first <see cref="SidCount"/> count.
    /// </summary>
    public uint[]? Sids { get; } = sids;

    public int SidCount { get; } = sidCount;

    /// <summary>
    /// What the item holds for its connection: the shared suffix (counted whole for each holder, an upper bound), the
    /// queue slot and the sid array (docs/Service-Bus.md, "Broker limits").
    /// </summary>
    public int Bytes => Event.Length + Unsafe.SizeOf<OutboundItem>() + (Sids is null ? 0 : Sids.Length * sizeof(uint));

    /// <summary>An item for one matching sid.</summary>
    public static OutboundItem For(SharedEvent evt, uint sid) => new(evt, sid, null, 1);

    /// <summary>Gives back what the item holds (a reference to the shared event and the sid array).</summary>
    public void Release()
    {
        Event.Release();
        ReturnSids();
    }

    /// <summary>Gives back the sid array only (the item was never queued, so it holds no event reference).</summary>
    public void ReturnSids()
    {
        if (Sids is not null)
        {
            ArrayPool<uint>.Shared.Return(Sids);
        }
    }
}
