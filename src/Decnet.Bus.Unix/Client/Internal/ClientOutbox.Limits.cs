using System.Buffers.Binary;
using System.Text;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Client.Internal;

/// <summary>
/// The broker's limits, applied to publishes queued before its WELCOME: until then a publisher checks its events
/// against this process's own limits (DECNET_BUS_MAX_FRAME_BYTES, DECNET_BUS_MAX_TOPIC_BYTES), and a broker whose
/// limits are lower answers one over them with an ERR that closes the connection, losing every event queued behind it.
/// </summary>
internal sealed partial class ClientOutbox
{
    // The latest WELCOME's limits (a frame's body bytes, a topic's UTF-8 bytes); null until the first.
    private (int MaxFrame, int MaxTopic)? _limits;

    /// <summary>
    /// Drops the queued PUB frames over <paramref name="maxFrame"/> body bytes or with a topic over <paramref
    /// name="maxTopic"/> bytes, keeping the order of the rest and every flush PING and ordered frame, and holds later
    /// publishes checked while no connection is up to the same limits (see <see cref="EnqueueData(ReadOnlySpan{byte}, bool,
    /// out Task?, bool, out bool)"/>). Called before the connection's writer is attached, so nothing queued has been
    /// taken yet.
    /// </summary>
    /// <returns>How many were dropped (publishes, to count as dropped) and the first one's topic, or null.</returns>
    public (int Dropped, string? FirstTopic) ApplyLimits(int maxFrame, int maxTopic)
    {
        lock (_gate)
        {
            _limits = (maxFrame, maxTopic);
            var dropped = 0;
            string? first = null;
            var chunks = _data.Count;
            for (var i = 0; i < chunks; i++)
            {
                // Every chunk goes round once, in order; one emptied by the drops leaves the queue.
                var chunk = _data.Dequeue();
                dropped += Compact(chunk, maxFrame, maxTopic, ref first);
                if (chunk.Length > 0)
                {
                    _data.Enqueue(chunk);
                }
                else
                {
                    Recycle(chunk);
                }
            }

            if (_current is { } current)
            {
                dropped += Compact(current, maxFrame, maxTopic, ref first);
            }

            return (dropped, first);
        }
    }

    /// <summary>
    /// Whether a PUB frame checked against this process's own limits (no connection up) breaks the latest WELCOME's:
    /// it is then dropped, as <see cref="ApplyLimits"/> would have dropped it, had it been queued a little sooner (the
    /// next connection's WELCOME applies its own limits to what is queued by then).
    /// </summary>
    private bool BreaksBrokerLimitsLocked(ReadOnlySpan<byte> frame)
        => _limits is { } limits && Breaks(frame, limits.MaxFrame, limits.MaxTopic);

    /// <summary>Removes from <paramref name="chunk"/> the PUB frames over the limits; returns how many.</summary>
    private int Compact(OutboxChunk chunk, int maxFrame, int maxTopic, ref string? first)
    {
        var bytes = chunk.Array.AsSpan(0, chunk.Length);
        var read = 0;
        var write = 0;
        var dropped = 0;
        while (read < bytes.Length)
        {
            var length = ProtocolConstants.HeaderSize + (int)BinaryPrimitives.ReadUInt32BigEndian(bytes[read..]);
            var frame = bytes.Slice(read, length);
            if (Breaks(frame, maxFrame, maxTopic))
            {
                first ??= Topic(frame);
                dropped++;
            }
            else
            {
                // Moved down over the dropped ones (an overlapping copy, which Span.CopyTo allows).
                frame.CopyTo(bytes[write..]);
                write += length;
            }

            read += length;
        }

        chunk.Length = write;
        chunk.Frames -= dropped;
        _bytes -= read - write;
        _frames -= dropped;
        return dropped;
    }

    /// <summary>
    /// Whether <paramref name="frame"/> is a PUB over <paramref name="maxFrame"/> body bytes or with a topic over
    /// <paramref name="maxTopic"/>.
    /// </summary>
    private static bool Breaks(ReadOnlySpan<byte> frame, int maxFrame, int maxTopic)
    {
        var body = frame[ProtocolConstants.HeaderSize..];
        return FrameReader.TryReadPubHead(body, out var topicLength, out _) && (body.Length > maxFrame || topicLength > maxTopic);
    }

    /// <summary>The topic of a PUB frame that <see cref="Breaks"/> found over a limit.</summary>
    private static string Topic(ReadOnlySpan<byte> frame)
    {
        var body = frame[ProtocolConstants.HeaderSize..];
        FrameReader.TryReadPubHead(body, out var topicLength, out var tailStart);
        return Encoding.UTF8.GetString(body.Slice(tailStart - topicLength, topicLength));
    }
}
