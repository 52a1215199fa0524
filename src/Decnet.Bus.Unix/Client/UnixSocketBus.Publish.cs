using System.Text;
using Decnet.Bus.Unix.Client.Internal;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix;

public sealed partial class UnixSocketBus
{
    [ThreadStatic]
    private static PooledBufferWriter? _scratch;

    /// <inheritdoc />
    public ValueTask PublishAsync<TPayload>(string topic, TPayload payload, string? type = null, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        Topics.EnsureValidTopic(topic);
        var maxTopic = _connection?.Welcome.MaxTopic ?? _options.MaxTopicBytes;
        if (Encoding.UTF8.GetByteCount(topic) > maxTopic)
        {
            throw new ArgumentException($"Topic \"{topic}\" is longer than the broker's limit of {maxTopic} UTF-8 bytes.", nameof(topic));
        }

        var scratch = _scratch ??= new PooledBufferWriter(512);
        scratch.Reset();
        var timestamp = _time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
        FrameWriter.WritePubWithNewId(scratch, topic, type ?? string.Empty, timestamp, payload);
        var maxFrame = _connection?.Welcome.MaxFrame ?? _options.MaxFrameBytes;
        if (scratch.WrittenCount - ProtocolConstants.HeaderSize > maxFrame)
        {
            throw new ArgumentException($"The event is {scratch.WrittenCount - ProtocolConstants.HeaderSize} bytes; the broker accepts at most {maxFrame}.", nameof(payload));
        }

        _counters.AddPublished();
        EnsureStarted();
        if (_state == ConnectionState.Down)
        {
            // The broker is unreachable: the event is a lost hint, counted; the database still has the state.
            _counters.AddDropped();
            return ValueTask.CompletedTask;
        }

        var dropped = _outbox.EnqueueData(scratch.WrittenSpan);
        if (dropped > 0)
        {
            _counters.AddDropped(dropped);
        }

        return ValueTask.CompletedTask;
    }
}
