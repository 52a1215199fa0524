using System.Text;
using Decnet.Bus.Unix.Client.Internal;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix;

public sealed partial class UnixSocketBus
{
    /// <summary>
    /// Publishes <paramref name="evt"/> as it is: its id, type, timestamp and payload bytes go into the PUB unchanged,
    /// so an event the bridge imports keeps its envelope on this host (docs/cross-host.md). Never waits: while the
    /// broker is down, or beyond the send buffer, events are dropped and counted like any publish.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The topic is invalid, the type contains a control character, or the event is larger than the broker accepts.
    /// </exception>
    internal ValueTask ForwardAsync(BusEvent evt)
    {
        ArgumentNullException.ThrowIfNull(evt);
        ThrowIfDisposed();
        Topics.EnsureValidTopic(evt.Topic);

        // The broker closes the whole connection over a PUB whose type has a control character: refused here, the
        // bridge counts one import lost instead of every event in flight and its subscriptions (docs/cross-host.md).
        EventTypes.EnsureValid(evt.Type);
        var welcome = _connection?.Welcome;
        var maxTopic = welcome?.MaxTopic ?? _options.MaxTopicBytes;
        if (Encoding.UTF8.GetByteCount(evt.Topic) > maxTopic)
        {
            throw new ArgumentException($"Topic \"{Topics.Printable(evt.Topic)}\" is longer than the broker's limit of {maxTopic} UTF-8 bytes.", nameof(evt));
        }

        using var frame = new PooledBufferWriter(64 + evt.Topic.Length + evt.Payload.Length);
        FrameWriter.WritePubRaw(frame, evt.Topic, evt.Type, evt.Id, evt.Timestamp, evt.Payload.Span, evt.Trace);
        var maxFrame = welcome?.MaxFrame ?? _options.MaxFrameBytes;
        if (frame.WrittenCount - ProtocolConstants.HeaderSize > maxFrame)
        {
            throw new ArgumentException($"The event is {frame.WrittenCount - ProtocolConstants.HeaderSize} bytes; the broker accepts at most {maxFrame}.", nameof(evt));
        }

        _counters.AddPublished();
        EnsureStarted();
        if (_state == ConnectionState.Down)
        {
            _counters.AddDropped();
            return ValueTask.CompletedTask;
        }

        var dropped = _outbox.EnqueueData(frame.WrittenSpan, pace: false, out _, ownLimits: welcome is null, out var overLimit);
        if (dropped > 0)
        {
            _counters.AddDropped(dropped);
            if (overLimit)
            {
                LogOverLimitLate(evt.Topic);
            }
        }

        return ValueTask.CompletedTask;
    }
}
