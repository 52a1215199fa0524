using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using Decnet.Bus.Internal;
using Decnet.Bus.Tracing;
using Decnet.Bus.Unix.Client.Internal;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Sending;

namespace Decnet.Bus.Unix;

public sealed partial class UnixSocketBus
{
    [ThreadStatic]
    private static PooledBufferWriter? _scratch;

    [ThreadStatic]
    private static PublishHead? _head;

    private long _lastPublish;
    private long _directWrites;

    /// <summary>Publishes written straight to the socket instead of through the send loop (for tests and diagnostics).</summary>
    internal long DirectWrites => Interlocked.Read(ref _directWrites);

    /// <summary>Completes once the live connection's send loop is parked (for tests; see <see cref="SocketWriter.ParkedAsync"/>).</summary>
    internal Task SendLoopParkedAsync() => _connection?.Writer.ParkedAsync() ?? Task.CompletedTask;

    /// <summary>Completes once the live connection's socket is full (see <see cref="SocketWriter.SocketFullAsync"/>; for tests).</summary>
    internal Task SocketFullAsync() => _connection?.Writer.SocketFullAsync() ?? Task.FromException(new InvalidOperationException("not connected"));

    /// <summary>Whether paced publishers are held now (see <see cref="ClientOutbox.PacedPublishersHeld"/>; for tests).</summary>
    internal bool PacedPublishersHeld => _outbox.PacedPublishersHeld;

    /// <summary>Control frames (SUB, UNSUB, STATS, keepalive PING) queued and not yet taken for the socket (for tests).</summary>
    internal int QueuedControlFrames => _outbox.ControlFrames;

    /// <inheritdoc />
    /// <remarks>
    /// The event is queued (or written) before this returns or waits. A paced wait (see <see cref="PaceBound"/>) that
    /// is cancelled throws <see cref="OperationCanceledException"/>, but the event stays queued and is sent.
    /// </remarks>
    public ValueTask PublishAsync<TPayload>(string topic, TPayload payload, string? type = null, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();

        // The thread's head and frame buffer are off its slots while this publish uses them: application code runs
        // before the frame is whole (an activity listener's callbacks, a payload's getters), and a publish it makes on
        // this thread gets its own (new ones) instead of emptying and rewriting these. Put back after a publish that
        // returns; one that throws leaves the next publish on this thread to make new ones.
        var head = _head ?? new PublishHead();
        var scratch = _scratch ?? new PooledBufferWriter(512);
        _head = null;
        _scratch = null;
        var published = Publish(topic, payload, type, head, scratch, cancellationToken);
        _head = head;
        _scratch = scratch;
        return published;
    }

    private ValueTask Publish<TPayload>(string topic, TPayload payload, string? type, PublishHead head, PooledBufferWriter scratch, CancellationToken cancellationToken)
    {
        // Validated and encoded once per topic and type this thread publishes in a row.
        head.Use(topic, type);
        // Read once: the limits checked here, what the outbox is told about them and the connection a direct write
        // goes to must be the same WELCOME's (one made meanwhile must not get a frame checked against our own limits).
        var live = _connection;
        var welcome = live?.Welcome;
        var maxTopic = welcome?.MaxTopic ?? _options.MaxTopicBytes;
        if (head.TopicBytes > maxTopic)
        {
            throw new ArgumentException($"Topic \"{topic}\" is longer than the broker's limit of {maxTopic} UTF-8 bytes.", nameof(topic));
        }

        scratch.Reset();
        var now = _time.GetTimestamp();
        var timestamp = _clock.UnixSeconds(now);
        var maxFrame = welcome?.MaxFrame ?? _options.MaxFrameBytes;
        var trace = Activity.Current is null ? default : TracedPublish(scratch, topic, type, timestamp, payload, maxFrame);
        if (trace.IsEmpty)
        {
            head.WriteFrame(scratch, timestamp, payload);
        }
        else
        {
            // Rare (inside an activity): the seventh PUB element carries the trace, so the cached head does not fit.
            FrameWriter.WritePubWithNewId(scratch, topic, type ?? string.Empty, timestamp, payload, trace);
        }

        if (scratch.WrittenCount - ProtocolConstants.HeaderSize > maxFrame)
        {
            ThrowFrameTooLarge(scratch, maxFrame);
        }

        _counters.AddPublished();
        EnsureStarted();
        if (_state == ConnectionState.Down)
        {
            // The broker is unreachable: the event is a lost hint, counted; the database still has the state.
            _counters.AddDropped();
            return ValueTask.CompletedTask;
        }

        // A publish after a quiet spell goes straight to the socket when the send loop sleeps: at low rates every event
        // would otherwise wake the loop for a write of its own. Back-to-back publishes are left to the loop, which
        // batches them.
        var quiet = now - Interlocked.Exchange(ref _lastPublish, now) >= _quietGapTicks;
        if (quiet && _state == ConnectionState.Connected && live is not null && live.TrySendDirect(scratch.WrittenSpan, out var lost))
        {
            Interlocked.Increment(ref _directWrites);
            if (lost)
            {
                _counters.AddDropped();
            }

            return ValueTask.CompletedTask;
        }

        // One lock: queued, and (only a connected broker paces: while connecting there is no reader to wait for) whether
        // to wait, decided on the same state.
        var dropped = _outbox.EnqueueData(scratch.WrittenSpan, _state == ConnectionState.Connected, out var pace, ownLimits: welcome is null, out var overLimit);
        if (dropped > 0)
        {
            _counters.AddDropped(dropped);
            if (overLimit)
            {
                LogOverLimitLate(topic);
            }
        }

        // The wait is the outbox's hold, which its timer bounds (PaceBound). Without a token to cancel it, the caller
        // waits on the hold's own task: a publisher blocked in Wait() is woken by the send thread that released it.
        return pace is null ? ValueTask.CompletedTask : new ValueTask(pace.WaitAsync(cancellationToken));
    }

    /// <summary>
    /// Inside an activity: the trace the publish carries. When that starts a <c>send</c> activity, the frame is first
    /// encoded with a context of the same length and checked, so a publish refused for its size records no span
    /// (only traced publishes with a listener pay this second encoding; the untraced path never comes here).
    /// </summary>
    private static TraceContext TracedPublish<TPayload>(PooledBufferWriter scratch, string topic, string? type, double timestamp, TPayload payload, int maxFrame)
    {
        if (PublishTrace.StartsActivity)
        {
            // An empty context too (a hierarchical ambient id): the frame is then untraced, but the activity still starts.
            FrameWriter.WritePubWithNewId(scratch, topic, type ?? string.Empty, timestamp, payload, PublishTrace.Provisional());
            if (scratch.WrittenCount - ProtocolConstants.HeaderSize > maxFrame)
            {
                ThrowFrameTooLarge(scratch, maxFrame);
            }

            scratch.Reset();
        }

        return BusActivities.OnPublish(topic);
    }

    [DoesNotReturn]
    private static void ThrowFrameTooLarge(PooledBufferWriter scratch, int maxFrame)
        => throw new ArgumentException($"The event is {scratch.WrittenCount - ProtocolConstants.HeaderSize} bytes; the broker accepts at most {maxFrame}.", "payload");
}
