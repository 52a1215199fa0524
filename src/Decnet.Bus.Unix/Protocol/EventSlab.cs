namespace Decnet.Bus.Unix.Protocol;

/// <summary>
/// Carves the memory received events own out of shared arrays, so decoding a read's worth of events allocates a few
/// arrays instead of one per event. An array lives as long as any event carved from it; large events get their own
/// so a long-lived small one never pins much. Used by one receive loop; not thread-safe.
/// </summary>
internal sealed class EventSlab
{
    internal const int SlabBytes = 16 * 1024;

    /// <summary>Events larger than this get an array of their own.</summary>
    internal const int OwnArrayBytes = 1024;

    private byte[] _slab = [];
    private int _used;

    /// <summary>A fresh, exclusively owned region of <paramref name="length"/> bytes.</summary>
    public Memory<byte> Carve(int length)
    {
        if (length > OwnArrayBytes)
        {
            return new byte[length];
        }

        if (_slab.Length - _used < length)
        {
            _slab = new byte[SlabBytes];
            _used = 0;
        }

        var region = _slab.AsMemory(_used, length);
        _used += length;
        return region;
    }
}
