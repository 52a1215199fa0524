using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>
/// The EVT frames one publishing connection routed to one destination during the read it is handling, whole and end to
/// end, with their lengths. At the end of the read (or before a request that must see them queued) they go into the
/// destination's <see cref="EventQueue"/> in one step, under one lock (<see cref="ReadBatch.Commit"/>).
/// </summary>
internal sealed class EventStaging(OutboundQueue destination, BrokerHub hub)
{
    // A read holds at most what the receive pipe buffers; this only bounds a pathological fan-in of huge frames.
    internal const int CommitBytes = 512 * 1024;

    // What a read of ordinary events stages for one destination (the receive pipe reads up to 64 KiB of PUBs, and an
    // EVT is a few bytes longer): kept between a busy publisher's reads; anything larger goes back after its read.
    internal const int OrdinaryBytes = 128 * 1024;
    internal const int OrdinaryFrames = 1024;

    // fixarray of 9: an EVT whose tail ends with a trace (RouteResolver caches heads with fixarray of 8).
    private const byte _tracedEvtHeader = 0x99;

    // Both from the pools, and given back (Release) when the publisher has handled all it read: an idle pair holds none.
    private byte[] _bytes = [];
    private int _written;
    private int[] _lengths = [];

    public OutboundQueue Destination { get; } = destination;

    /// <summary>Frames staged.</summary>
    public int Count { get; private set; }

    /// <summary>Whether the batch lists this staging among those to commit.</summary>
    public bool Listed { get; set; }

    /// <summary>Whether the batch lists the destination among those to flush at the end of the read.</summary>
    public bool FlushListed { get; set; }

    public ReadOnlySpan<byte> Bytes => _bytes.AsSpan(0, _written);

    public ReadOnlySpan<int> Lengths => _lengths.AsSpan(0, Count);

    public int WrittenBytes => _written;

    /// <summary>The bytes its buffers hold (for tests).</summary>
    public int Capacity => _bytes.Length + (_lengths.Length * sizeof(int));

    /// <summary>
    /// Appends one EVT frame: length prefix, the destination's head (array header, kind and sids), the topic part, the
    /// PUB tail. The head is cached per topic with an array of 8; <paramref name="traced"/> makes it 9, for a tail that
    /// ends with a trace (docs/wire-protocol.md §3).
    /// </summary>
    public void Add(ReadOnlySpan<byte> sidHead, ReadOnlySpan<byte> topicHead, ReadOnlySpan<byte> tail, bool traced)
    {
        var body = sidHead.Length + topicHead.Length + tail.Length;
        var length = ProtocolConstants.HeaderSize + body;
        if (_written + length > _bytes.Length)
        {
            Grow(length);
        }

        var span = _bytes.AsSpan(_written, length);
        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)body);
        sidHead.CopyTo(span[ProtocolConstants.HeaderSize..]);
        if (traced)
        {
            span[ProtocolConstants.HeaderSize] = _tracedEvtHeader;
        }

        topicHead.CopyTo(span[(ProtocolConstants.HeaderSize + sidHead.Length)..]);
        tail.CopyTo(span[(ProtocolConstants.HeaderSize + sidHead.Length + topicHead.Length)..]);
        _written += length;
        if (Count == _lengths.Length)
        {
            GrowLengths();
        }

        _lengths[Count++] = length;
    }

    /// <summary>Empties the staging after a commit, keeping a buffer of ordinary size for the rest of the read.</summary>
    public void Reset()
    {
        _written = 0;
        Count = 0;
        Listed = false;
        if (_bytes.Length > CommitBytes)
        {
            _bytes = Resize(_bytes, 0, 0);
        }
    }

    /// <summary>
    /// Gives its buffers back to their pools (after <see cref="Reset"/>, once the publisher's read is handled): both when
    /// <paramref name="all"/>, otherwise those grown past the size a read of ordinary events needs.
    /// </summary>
    public void Release(bool all)
    {
        if (_bytes.Length > 0 && (all || _bytes.Length > OrdinaryBytes))
        {
            _bytes = Resize(_bytes, 0, 0);
        }

        if (_lengths.Length > 0 && (all || _lengths.Length > OrdinaryFrames))
        {
            _lengths = Resize(_lengths, 0, 0);
        }
    }

    private void Grow(int needed)
        => _bytes = Resize(_bytes, _written, Math.Max(_written + needed, Math.Max(16 * 1024, _bytes.Length * 2)));

    private void GrowLengths() => _lengths = Resize(_lengths, Count, Math.Max(64, _lengths.Length * 2));

    /// <summary>
    /// A pooled array of at least <paramref name="size"/> items (none: empty) holding the first <paramref name="keep"/>
    /// of <paramref name="old"/>, which goes back to its pool. Every change of size passes here, so the broker-wide
    /// count of staged bytes (<see cref="BrokerHub.StagingBytes"/>) stays exact.
    /// </summary>
    private T[] Resize<T>(T[] old, int keep, int size)
    {
        T[] array = size == 0 ? [] : ArrayPool<T>.Shared.Rent(size);
        old.AsSpan(0, keep).CopyTo(array);
        if (old.Length > 0)
        {
            ArrayPool<T>.Shared.Return(old);
        }

        hub.AddStagingBytes((long)(array.Length - old.Length) * Unsafe.SizeOf<T>());
        return array;
    }
}
