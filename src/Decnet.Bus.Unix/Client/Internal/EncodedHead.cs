using System.Text;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Client.Internal;

/// <summary>
/// The validated start of a PUB frame for one topic and type: array header, kind, topic and type, as
/// <see cref="FrameWriter.WritePubWithNewId{T}"/> writes them. Immutable, so threads share it.
/// </summary>
internal sealed class EncodedHead
{
    private readonly byte[] _bytes;

    private EncodedHead(byte[] bytes, int topicBytes)
    {
        _bytes = bytes;
        TopicBytes = topicBytes;
    }

    /// <summary>The encoded head.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>The topic's length in UTF-8 bytes (the broker's limit applies to it).</summary>
    public int TopicBytes { get; }

    /// <summary>Validates <paramref name="topic"/> and <paramref name="type"/> and encodes their head.</summary>
    /// <exception cref="ArgumentException">The topic or type is invalid.</exception>
    public static EncodedHead Create(string topic, string type)
    {
        using var buffer = new PooledBufferWriter(64);
        var topicBytes = Write(buffer, topic, type);
        return new EncodedHead(buffer.WrittenSpan.ToArray(), topicBytes);
    }

    /// <summary>
    /// Validates <paramref name="topic"/> and <paramref name="type"/>, writes their head into <paramref name="buffer"/>
    /// and returns the topic's UTF-8 length.
    /// </summary>
    /// <exception cref="ArgumentException">The topic or type is invalid (nothing is written).</exception>
    public static int Write(PooledBufferWriter buffer, string topic, string type)
    {
        Topics.EnsureValidTopic(topic);
        EventTypes.EnsureValid(type);
        FrameWriter.WritePubFields(buffer, topic, type, elements: 6);
        return Encoding.UTF8.GetByteCount(topic);
    }
}
