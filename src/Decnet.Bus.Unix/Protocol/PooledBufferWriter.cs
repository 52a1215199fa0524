using System.Buffers;

namespace Decnet.Bus.Unix.Protocol;

/// <summary>
/// A growable buffer over <see cref="ArrayPool{T}"/> whose written bytes stay writable, so a frame's length prefix
/// can be patched after its body is encoded. Rents nothing until first written to. Not thread-safe.
/// </summary>
internal sealed class PooledBufferWriter(int initialCapacity = 256) : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer = [];
    private int _written;

    public int WrittenCount => _written;

    public Span<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    public int Capacity => _buffer.Length;

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_written + count > _buffer.Length)
        {
            throw new InvalidOperationException("Advanced past the end of the buffer.");
        }

        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    /// <summary>
    /// Takes <paramref name="array"/> as this buffer, with its first <paramref name="written"/> bytes written, and
    /// returns the buffer it held (possibly empty; the caller now owns it): a hand-over of filled bytes without copying
    /// them. Only while nothing is written, so no written byte is lost. The array must come from
    /// <see cref="ArrayPool{T}.Shared"/>, since this writer returns it there when it grows, resets or is disposed.
    /// </summary>
    public byte[] Exchange(byte[] array, int written)
    {
        if (_written != 0)
        {
            throw new InvalidOperationException("Exchange needs an empty buffer.");
        }

        ArgumentOutOfRangeException.ThrowIfGreaterThan(written, array.Length);
        var old = _buffer;
        _buffer = array;
        _written = written;
        return old;
    }

    /// <summary>Forgets the written bytes; when the buffer grew past <paramref name="keepCapacity"/>, returns it to the pool.</summary>
    public void Reset(int keepCapacity = 1 << 20)
    {
        _written = 0;
        if (_buffer.Length > keepCapacity)
        {
            var old = _buffer;
            _buffer = [];
            ArrayPool<byte>.Shared.Return(old);
        }
    }

    /// <summary>
    /// Forgets the buffer without returning it to the pool: for one an operation still pending may read (the GC frees
    /// it once nothing does), where a return would let the next renter's bytes be read in its place.
    /// </summary>
    public void Abandon()
    {
        _buffer = [];
        _written = 0;
    }

    /// <summary>Forgets the written bytes and returns the buffer to the pool (an idle owner holds no memory).</summary>
    public void Release() => Dispose();

    public void Dispose()
    {
        var old = _buffer;
        _buffer = [];
        _written = 0;
        if (old.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(old);
        }
    }

    private void Ensure(int sizeHint)
    {
        sizeHint = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= sizeHint)
        {
            return;
        }

        var grown = ArrayPool<byte>.Shared.Rent(Math.Max(Math.Max(_buffer.Length * 2, initialCapacity), _written + sizeHint));
        _buffer.AsSpan(0, _written).CopyTo(grown);
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = grown;
    }
}
