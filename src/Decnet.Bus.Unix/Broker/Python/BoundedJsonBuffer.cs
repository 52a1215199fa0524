using System.Buffers;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Protocol.Python;

namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>
/// The buffer a <see cref="System.Text.Json.Utf8JsonWriter"/> writes one EVT body into, refusing (with
/// <see cref="PayloadTranslationException"/>) the write that would take it past <paramref name="maxBytes"/>: a large
/// event stops translating once its JSON passes the bound, instead of being built whole and then dropped.
/// </summary>
internal sealed class BoundedJsonBuffer(int maxBytes, int initialCapacity) : IBufferWriter<byte>, IDisposable
{
    // Utf8JsonWriter asks for at least 4,096 bytes whatever it writes next, and for a long value its exact size (a
    // few bytes more): a request for more than this past the bound is for a value that would pass it.
    private const int _requestSlack = 8 * 1024;

    private readonly PooledBufferWriter _buffer = new(initialCapacity);

    public int WrittenCount => _buffer.WrittenCount;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

    public int Capacity => _buffer.Capacity;

    public void Advance(int count)
    {
        if (_buffer.WrittenCount + count > maxBytes)
        {
            throw Passed();
        }

        _buffer.Advance(count);
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        var room = Room(sizeHint);
        var memory = _buffer.GetMemory(sizeHint);
        return memory.Length <= room ? memory : memory[..room];
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        var room = Room(sizeHint);
        var span = _buffer.GetSpan(sizeHint);
        return span.Length <= room ? span : span[..room];
    }

    /// <summary>Forgets the written bytes; a buffer grown past <paramref name="keepCapacity"/> goes back to the pool.</summary>
    public void Reset(int keepCapacity) => _buffer.Reset(keepCapacity);

    public void Dispose() => _buffer.Dispose();

    /// <summary>How much the writer may be handed: never so much that it could hold a body far past the bound.</summary>
    private int Room(int sizeHint)
    {
        var room = maxBytes + _requestSlack - _buffer.WrittenCount;
        return sizeHint <= room ? room : throw Passed();
    }

    private PayloadTranslationException Passed()
        => new($"its JSON envelope passes {maxBytes} bytes, the most a Python client accepts");
}
