using System.Buffers;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>
/// The part of an EVT frame every receiving connection shares (topic, publisher, PUB tail), encoded once per publish
/// into a pooled buffer and reference-counted across the connection queues that hold it.
/// </summary>
internal sealed class SharedEvent
{
    [ThreadStatic]
    private static FixedBufferWriter? _writer;

    private byte[] _buffer;
    private int _refs = 1;

    private SharedEvent(byte[] buffer, int length, bool traced)
    {
        _buffer = buffer;
        Length = length;
        Traced = traced;
    }

    public int Length { get; }

    /// <summary>Whether the PUB tail ends with a trace map, making the EVT 9 elements long (docs/wire-protocol.md §3).</summary>
    public bool Traced { get; }

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    /// <summary>The suffix as memory, for a reader that needs it (a Python subscriber's translation, docs/wire-protocol.md §10).</summary>
    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, Length);

    /// <summary>Encodes the shared EVT suffix. The caller holds the one initial reference.</summary>
    public static SharedEvent Create(ReadOnlySequence<byte> topicUtf8, PeerCredentials publisher, ReadOnlySequence<byte> tail, bool traced = false)
    {
        // str32 header + topic + fixarray + three int32s at most + tail.
        var bound = 5 + (int)topicUtf8.Length + 1 + (3 * 5) + (int)tail.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(bound);
        var writer = _writer ??= new FixedBufferWriter();
        writer.Reset(buffer);
        FrameWriter.WriteEvtSuffix(writer, topicUtf8, publisher, tail);
        return new SharedEvent(buffer, writer.Written, traced);
    }

    public void AddRef() => Interlocked.Increment(ref _refs);

    public void Release()
    {
        if (Interlocked.Decrement(ref _refs) == 0)
        {
            var buffer = _buffer;
            _buffer = [];
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>An <see cref="IBufferWriter{T}"/> over an array that is known to be large enough.</summary>
    private sealed class FixedBufferWriter : IBufferWriter<byte>
    {
        private byte[] _array = [];

        public int Written { get; private set; }

        public void Reset(byte[] array)
        {
            _array = array;
            Written = 0;
        }

        public void Advance(int count) => Written += count;

        public Memory<byte> GetMemory(int sizeHint = 0) => Check(sizeHint).AsMemory(Written);

        public Span<byte> GetSpan(int sizeHint = 0) => Check(sizeHint).AsSpan(Written);

        private byte[] Check(int sizeHint)
            => _array.Length - Written >= Math.Max(sizeHint, 1)
                ? _array
                : throw new InvalidOperationException("EVT suffix bound was computed too small.");
    }
}
