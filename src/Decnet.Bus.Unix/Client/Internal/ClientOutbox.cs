using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Sending;

namespace Decnet.Bus.Unix.Client.Internal;

/// <summary>
/// What a client has to send: encoded PUB frames in a bounded drop-oldest lane, control frames (SUB, UNSUB, STATS,
/// keepalive PING) in a lane that is never dropped, and a count of the PONGs owed to the broker. The current
/// connection's send loop drains it.
/// </summary>
/// <remarks>
/// This is a write buffer, not a consumer queue: it only holds what the socket has not taken yet, so it is bounded
/// by bytes (a burst of small events must not be lost while the broker keeps up) and drops the oldest frames only
/// when the broker stops reading for long. PUB frames are packed back to back into pooled chunks, so publishing
/// costs one copy and no allocation, and the oldest whole chunk is what goes when the bound is hit.
/// </remarks>
internal sealed partial class ClientOutbox(long maxBytes, int maxFrames, TimeProvider? time = null, TimeSpan? paceBound = null)
{
    /// <summary>The PING frame: one shared array, so a keepalive PING is recognised when it is sent.</summary>
    internal static readonly byte[] PingFrame = EncodeSimple(FrameKind.Ping);

    /// <summary>The PONG frame: PONGs carry nothing, so one shared array and a count stand for every one owed.</summary>
    internal static readonly byte[] PongFrame = EncodeSimple(FrameKind.Pong);

    /// <summary>Owed PONGs written per batch at most, so a backlog of them never crowds the publishes out.</summary>
    internal const int MaxPongsPerBatch = 1024;

    /// <summary>Size of a data chunk; a larger frame gets a chunk of its own.</summary>
    internal const int ChunkSize = 64 * 1024;

    /// <summary>Queued bytes above which an awaiting publisher is paced to the broker's reading speed.</summary>
    internal const long PaceHighWaterBytes = 1024 * 1024;

    /// <summary>Queued bytes at or below which paced publishers go on.</summary>
    internal const long PaceLowWaterBytes = 256 * 1024;

    private readonly Lock _gate = new();
    private readonly Queue<OutboxChunk> _data = new();
    private readonly Queue<byte[]> _control = new();
    private readonly PingLedger _pings = new();

    private byte[]? _final;
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly TimeSpan _paceBound = paceBound ?? UnixSocketBus.PaceBound;

    // The current hold of paced publishers (one task they all wait for), and one its take released, completed after
    // the lock; the timer that ends a hold at its bound, and that bound as a timestamp.
    private TaskCompletionSource? _drained;
    private TaskCompletionSource? _released;
    private ITimer? _paceTimer;
    private long _paceDeadline;
    private bool _stalled;
    private bool _closing;

    // The live connection's writer: the one woken, and the only one a publisher may write to directly, so a direct
    // writer of an older connection cannot put bytes into the next connection's stream.
    private SocketWriter? _writer;
    private OutboxChunk? _current;
    private OutboxChunk? _spare;

    private long _bytes;
    private int _frames;
    private long _pongsOwed;

    public long MaxBytes { get; } = Math.Max(maxBytes, 1);

    public int MaxFrames { get; } = Math.Max(maxFrames, 1);

    /// <summary>Control frames queued and not yet taken for the socket; owed PONGs are not among them (for tests).</summary>
    internal int ControlFrames
    {
        get
        {
            lock (_gate)
            {
                return _control.Count;
            }
        }
    }

    public bool IsClosing
    {
        get
        {
            lock (_gate)
            {
                return _closing;
            }
        }
    }

    /// <summary>Queues a copy of <paramref name="frame"/>; returns how many older frames were dropped (or 1 when closing).</summary>
    public int EnqueueData(ReadOnlySpan<byte> frame) => EnqueueData(frame, pace: false, out _, ownLimits: false, out _);

    /// <summary>
    /// Queues a copy of <paramref name="frame"/> and, when <paramref name="pace"/>, decides under the same lock whether
    /// the publisher waits (<paramref name="paceTask"/>, see <see cref="PaceTaskLocked"/>). Returns how many older frames
    /// were dropped (or 1 when closing). <paramref name="ownLimits"/> says the publisher checked the frame against this
    /// process's own limits only (no connection up): one that breaks the latest WELCOME's is dropped (returns 1,
    /// <paramref name="overLimit"/> true) instead of queued (see <see cref="ApplyLimits"/>).
    /// </summary>
    public int EnqueueData(ReadOnlySpan<byte> frame, bool pace, out Task? paceTask, bool ownLimits, out bool overLimit)
    {
        var dropped = 0;
        SocketWriter? ring;
        paceTask = null;
        overLimit = false;
        lock (_gate)
        {
            if (_closing)
            {
                return 1;
            }

            if (ownLimits && BreaksBrokerLimitsLocked(frame))
            {
                overLimit = true;
                return 1;
            }

            while (_frames > 0 && (_frames >= MaxFrames || _bytes + frame.Length > MaxBytes))
            {
                dropped += DropOldestChunk();
            }

            ring = AppendLocked(frame);
            if (_pings.HasOrphans)
            {
                // Flush PINGs dropped with the oldest chunk wait for a barrier still: one PING behind this publish.
                // Whichever append claimed the parked writer's wake-up (at most one can) rings it.
                ring ??= AppendFlushLocked(_pings.TakeOrphans());
            }

            if (pace)
            {
                paceTask = PaceTaskLocked();
            }
        }

        ring?.Ring();
        return dropped;
    }

    /// <summary>
    /// Queues a small control frame in order behind every PUB already queued, dropping nothing for it (it may exceed
    /// the bound by its few bytes): a STATS sent this way is a barrier, its reply proves the publishes arrived. A backlog
    /// that later overflows drops the PUBs around it but not it, and does not count it (see <see cref="DropOldestChunk"/>):
    /// each request still gets its reply, so replies, which come in request order, keep matching their requests.
    /// </summary>
    public void EnqueueOrdered(byte[] frame)
    {
        SocketWriter? ring;
        lock (_gate)
        {
            if (_closing)
            {
                return;
            }

            ring = AppendLocked(frame);
            (_current!.Ordered ??= []).Add(frame);
        }

        ring?.Ring();
    }

    /// <summary>Copies a frame into the chunk being filled; returns the writer to wake after the lock, if it must be.</summary>
    private SocketWriter? AppendLocked(ReadOnlySpan<byte> frame)
    {
        if (_current is null || _current.Array.Length - _current.Length < frame.Length)
        {
            if (_current is { Length: > 0 })
            {
                _data.Enqueue(_current);
            }

            _current = frame.Length <= ChunkSize && _spare is { } spare ? spare : new OutboxChunk(Math.Max(ChunkSize, frame.Length));
            if (ReferenceEquals(_current, _spare))
            {
                _spare = null;
            }
        }

        frame.CopyTo(_current.Array.AsSpan(_current.Length));
        _current.Length += frame.Length;
        _current.Frames++;
        _bytes += frame.Length;
        _frames++;

        // Wake only a send loop that is parked: one wake-up per batch, not one per event.
        return _writer is { } writer && writer.ClaimWakeLocked() ? writer : null;
    }

    public void EnqueueControl(byte[] frame)
    {
        SocketWriter? writer;
        lock (_gate)
        {
            _control.Enqueue(frame);
            writer = _writer;
        }

        writer?.Ring();
    }

    /// <summary>
    /// Owes the broker one more PONG. A count, not a queued frame: a broker that floods PINGs while it reads nothing
    /// (each PING is a read, so the keepalive never gives it up) must cost the client no memory per PING, yet one that
    /// reads again still gets a PONG for each (docs/wire-protocol.md §4.5). The broker takes a PONG only as a sign of
    /// life, so where owed ones go among the control frames does not matter.
    /// </summary>
    public void EnqueuePong()
    {
        SocketWriter? writer;
        lock (_gate)
        {
            _pongsOwed++;
            writer = _writer;
        }

        writer?.Ring();
    }

    /// <summary>Asks the send loop to flush what is queued, then send <paramref name="finalFrame"/> and half-close.</summary>
    public void Close(byte[] finalFrame)
    {
        SocketWriter? writer;
        lock (_gate)
        {
            _closing = true;
            _final = finalFrame;
            _drained?.TrySetResult();
            _drained = null;

            // Nothing is held from here on (a closing outbox paces no one), so the hold's timer goes with the bus.
            _paceTimer?.Dispose();
            _paceTimer = null;
            writer = _writer;
        }

        writer?.Ring();
    }

    /// <summary>Drops queued PUB frames (the connection is gone) and returns how many.</summary>
    public int DropData()
    {
        lock (_gate)
        {
            var count = _frames;
            var gone = new IOException("the connection to the broker ended");
            _pings.Fail(gone);
            while (_data.TryDequeue(out var chunk))
            {
                count -= NotPublished(chunk, gone);
                chunk.Return();
            }

            if (_current is { } current)
            {
                count -= NotPublished(current, gone);
            }

            _current?.Return();
            _current = null;
            _spare?.Return();
            _spare = null;
            _bytes = 0;
            _frames = 0;
            _drained?.TrySetResult();
            _drained = null;

            // The connection is gone, and with it its writer (and the tail of a direct write, which it holds).
            _writer = null;
            return count;
        }
    }

    /// <summary>Forgets control frames, and PONGs owed, meant for a previous connection.</summary>
    public void ClearControl()
    {
        lock (_gate)
        {
            _control.Clear();
            _pongsOwed = 0;
        }
    }

    /// <summary>Drops the oldest queued chunk (or the one being filled when it is all there is); returns its frames.</summary>
    private int DropOldestChunk()
    {
        var chunk = _data.Count > 0 ? _data.Dequeue() : _current!;
        var frames = chunk.Frames;
        _bytes -= chunk.Length;
        _frames -= frames;

        // A flush PING is not a publish: it is not counted as dropped, and it goes again (see FlushAsync).
        frames -= chunk.NotPublished;
        _pings.Dropped(chunk);

        // Nor is an ordered frame (STATS), which goes in the control lane instead, next on the wire: every publish
        // queued before it is dropped too or already taken for the socket, so it is still behind all that arrive.
        if (chunk.Ordered is { } ordered)
        {
            foreach (var frame in ordered)
            {
                _control.Enqueue(frame);
            }
        }

        if (ReferenceEquals(chunk, _current))
        {
            chunk.Clear();
        }
        else
        {
            Recycle(chunk);
        }

        return frames;
    }

    /// <summary>Keeps one emptied chunk for reuse (steady-state publishing allocates nothing), returns the rest.</summary>
    private void Recycle(OutboxChunk chunk)
    {
        if (_spare is null && chunk.Array.Length == ChunkSize)
        {
            chunk.Clear();
            _spare = chunk;
        }
        else
        {
            chunk.Return();
        }
    }

    /// <summary>
    /// Fails the flushes of a chunk the ended connection never sent, and returns its frames that are not publishes (so
    /// not counted as dropped ones); the connection fails its STATS requests itself.
    /// </summary>
    private static int NotPublished(OutboxChunk chunk, Exception reason)
    {
        var count = chunk.NotPublished;
        foreach (var flush in chunk.Flushes ?? [])
        {
            flush.TrySetException(reason);
        }

        chunk.Flushes = null;
        return count;
    }
}
