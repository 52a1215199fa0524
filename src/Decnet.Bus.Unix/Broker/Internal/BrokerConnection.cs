using System.Net.Sockets;
using System.Threading.Channels;
using Decnet.Bus.Unix.Protocol;
using Microsoft.Extensions.Logging;

namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>
/// One client as the broker sees it: a receive loop that parses and handles frames, and one send loop that batches
/// queued frames into single writes. Events go into a bounded drop-oldest lane (count and bytes); control frames
/// (WELCOME, SUBACK, PONG, STATS, ERR, BYE) go into their own lane, which is never dropped but is bounded too: a
/// client that lets more than <see cref="BrokerLimits.MaxControlBacklog"/> frames or <see cref="BrokerLimits.MaxControlBytes"/> bytes of
/// replies pile up unwritten is cut with ERR 9 (docs/wire-protocol.md, "Control replies").
/// </summary>
internal sealed partial class BrokerConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly BrokerHub _hub;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _abort = new();
    private readonly Lock _gate = new();
    private readonly EventQueue _events = new();
    private readonly ControlLane _control;
    private readonly Channel<bool> _doorbell = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private readonly Dictionary<uint, string> _subscriptions = [];

    // Events dropped per sid since the last batch was taken, for a client that asked for LOST frames (HELLO
    // report_lost). Only touched when an event is dropped. Bounded by the sids the dropped events carried: live
    // subscriptions plus those re-used since the last batch, and every SUB costs a SUBACK in the bounded control lane.
    private Dictionary<uint, long>? _lost;
    private long _queuedBytes;

    // Events ever queued, and ever taken out (written, dropped or discarded): in minus out is the queue length, readable
    // without the lock, and a reply that must not overtake queued events waits until out reaches its mark.
    private long _eventsIn;
    private long _eventsOut;

    private byte[]? _finalFrame;
    private bool _closing;

    // _idle: the send loop waits for the doorbell. _wakePending: a flush or wake-up is already on its way.
    // _inlineFlushing: a receive loop is writing to this socket itself (only ever while the send loop is idle).
    // _leftover: the unsent tail of an inline write, which the send loop sends before anything else.
    private bool _idle;
    private bool _wakePending;
    private bool _inlineFlushing;
    private PooledBufferWriter? _leftover;
    private int _subscriptionCount;
    private int _handshakePending = 1;
    private long _published;
    private long _delivered;
    private long _dropped;

    public BrokerConnection(long id, Socket socket, PeerCredentials credentials, BrokerHub hub, ILogger logger, TimeProvider time)
    {
        Id = id;
        _socket = socket;
        Credentials = credentials;
        _hub = hub;
        _logger = logger;
        _time = time;
        QueueSize = hub.Limits.QueueSize;
        MaxFrame = hub.Limits.MaxFrameBytes;
        _control = new ControlLane(hub.Limits.MaxControlBacklog, hub.Limits.MaxControlBytes);
    }

    public long Id { get; }

    public PeerCredentials Credentials { get; }

    /// <summary>The name from HELLO; empty until the handshake.</summary>
    public string Name { get; private set; } = string.Empty;

    /// <summary>Whether this client receives its own publishes (HELLO echo flag).</summary>
    public bool Echo { get; private set; } = true;

    public int QueueSize { get; private set; }

    public int MaxFrame { get; private set; }

    /// <summary>Whether the client asked (HELLO <c>report_lost</c>) to be told which subscriptions lost events.</summary>
    public bool ReportsLost { get; private set; }

    public void CountPublished(long count) => Interlocked.Add(ref _published, count);

    /// <summary>True the first time only: the connection stops counting as handshaking (HELLO, or its end).</summary>
    public bool LeaveHandshake() => Interlocked.Exchange(ref _handshakePending, 0) == 1;

    /// <summary>Bytes of events queued here (what the broker-wide bound sheds from the largest holder first).</summary>
    public long QueuedBytes => Volatile.Read(ref _queuedBytes);

    /// <summary>
    /// Queues the EVT frames a publishing connection staged for this one during a read, under one lock, dropping the
    /// oldest queued events whenever the count or byte bound is hit, exactly as if they had come one at a time. Returns
    /// how many were dropped; <paramref name="flush"/> says the caller must flush or wake this connection once its read
    /// is done (<see cref="FlushOrWake"/>); <paramref name="behind"/> that the caller may wait for this connection to
    /// catch up before its next read (<see cref="CatchUpTask"/>).
    /// </summary>
    public int AppendStaged(EventStaging staging, out bool flush, out bool behind)
    {
        var dropped = 0;
        var delta = 0L;
        var frames = staging.Bytes;
        var lengths = staging.Lengths;
        var maxBytes = _hub.Limits.MaxQueueBytes;
        lock (_gate)
        {
            if (_closing)
            {
                flush = false;
                behind = false;
                return 0;
            }

            var incoming = staging.WrittenBytes + ((long)lengths.Length * EventQueue.SlotBytes);
            if (_events.Count + lengths.Length <= QueueSize && _queuedBytes + incoming <= maxBytes)
            {
                // The common case: everything fits, one copy.
                _events.AppendAll(frames, lengths);
                delta = incoming;
            }
            else
            {
                var lost = ReportsLost ? (_lost ??= []) : null;
                foreach (var length in lengths)
                {
                    var bytes = length + EventQueue.SlotBytes;
                    while (_events.Count > 0 && (_events.Count >= QueueSize || _queuedBytes + delta + bytes > maxBytes))
                    {
                        delta -= _events.DropOldest(lost);
                        _eventsOut++;
                        dropped++;
                    }

                    _events.Append(frames[..length]);
                    frames = frames[length..];
                    delta += bytes;
                }
            }

            _queuedBytes += delta;
            _eventsIn += lengths.Length;

            // Wake only an idle send loop, once: one flush per batch, not one channel write per event.
            flush = _idle && !_wakePending;
            _wakePending |= flush;
            behind = BehindLocked();
        }

        _hub.AddQueuedBytes(delta);
        Interlocked.Add(ref _delivered, lengths.Length);
        if (dropped > 0)
        {
            Interlocked.Add(ref _dropped, dropped);
        }

        return dropped;
    }

    /// <summary>Stops accepting events, flushes what is queued, then sends BYE and half-closes (broker shutdown).</summary>
    public void CloseGracefully() => BeginClose(_text is null ? Encode(static b => FrameWriter.WriteSimple(b, FrameKind.Bye)) : TextEvtWriter.Bye, discardEvents: false);

    /// <summary>Discards queued events and sends ERR (nothing to a Python client: its protocol has none), then half-closes (protocol violation).</summary>
    public void CloseWithError(BusErrorCode code, string message)
        => BeginClose(_text is null ? Encode(b => FrameWriter.WriteErr(b, code, message)) : [], discardEvents: true);

    /// <summary>Tears the connection down now, without flushing.</summary>
    public void Abort() => _abort.Cancel();

    /// <summary>
    /// This connection's row. Takes no lock (a STATS reply reads every connection): the queue figures are read as
    /// plain volatile fields and may be a moment apart from each other.
    /// </summary>
    public BrokerConnectionStats Snapshot()
    {
        var queued = (int)Math.Max(0, Volatile.Read(ref _eventsIn) - Volatile.Read(ref _eventsOut));
        var queuedBytes = Math.Max(0, Volatile.Read(ref _queuedBytes));
        return new BrokerConnectionStats(
            Name,
            Credentials.Pid,
            Credentials.Uid,
            Credentials.Gid,
            Volatile.Read(ref _subscriptionCount),
            queued,
            Interlocked.Read(ref _dropped),
            Interlocked.Read(ref _delivered),
            Interlocked.Read(ref _published))
        {
            QueuedBytes = queuedBytes,
            Protocol = _text is null ? BrokerConnectionStats.MessagePackProtocol : BrokerConnectionStats.PythonProtocol,
        };
    }

    /// <summary>Hands the subscriptions over for removal from the routing table (once the receive loop has ended).</summary>
    public List<KeyValuePair<uint, string>> TakeSubscriptions()
    {
        lock (_subscriptions)
        {
            var all = _subscriptions.ToList();
            _subscriptions.Clear();
            _subscriptionCount = 0;
            return all;
        }
    }

    /// <summary>Runs the connection until the client leaves, breaks the protocol, or the broker stops it.</summary>
    public async Task RunAsync(TimeSpan flushBound)
    {
        var send = SendLoopAsync();
        try
        {
            await ReceiveAnyProtocolAsync().ConfigureAwait(false);
        }
        catch (ProtocolException ex)
        {
            BrokerLog.ProtocolViolation(_logger, Name, Credentials.Pid, ex.Code.ToString(), ex.Message);
            _hub.CountRejection(ex.Code);
            CloseWithError(ex.Code, ex.Message);
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            BrokerLog.ConnectionFailed(_logger, Name, Credentials.Pid, ex.Message);
        }
#pragma warning disable CA1031 // One client must never take the broker down; anything unexpected is a bug, logged as an error.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            BrokerLog.ConnectionBug(_logger, Name, Credentials.Pid, ex);
            CloseWithError(BusErrorCode.BadFrame, "internal error while handling a frame");
        }
        finally
        {
            _hub.Unregister(this);
        }

        lock (_gate)
        {
            if (!_closing)
            {
                // The client left (EOF or BYE): nothing more to send.
                _abort.Cancel();
            }
        }

        try
        {
            await send.WaitAsync(flushBound, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await _abort.CancelAsync().ConfigureAwait(false);
        }

        await DisposeAsync().ConfigureAwait(false);
        BrokerLog.ClientDisconnected(_logger, Name, Credentials.Pid);
    }

    public async ValueTask DisposeAsync()
    {
        await _abort.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        lock (_gate)
        {
            _closing = true;
            DiscardEventsLocked();
            _leftover?.Dispose();
            _leftover = null;
        }
    }

    private void BeginClose(byte[] finalFrame, bool discardEvents)
    {
        lock (_gate)
        {
            if (_closing)
            {
                return;
            }

            _closing = true;
            _finalFrame = finalFrame;
            if (discardEvents)
            {
                DiscardEventsLocked();
            }
        }

        _doorbell.Writer.TryWrite(true);
    }

    private void EnqueueControl(byte[] frame, bool barrier = false)
    {
        lock (_gate)
        {
            EnqueueControlLocked(frame, barrier);
        }

        _doorbell.Writer.TryWrite(true);
    }

    /// <summary>
    /// Queues a control frame; the caller holds <c>_gate</c> and rings the doorbell after releasing it. A
    /// <paramref name="barrier"/> frame (PONG) leaves after every event queued before it.
    /// </summary>
    private void EnqueueControlLocked(byte[] frame, bool barrier)
    {
        if (_closing)
        {
            return;
        }

        _control.Enqueue(frame, barrier ? _eventsIn : 0);
    }

    /// <summary>
    /// Queues a STATS reply. While an earlier one is still unwritten, the new one is that same snapshot (one STATS in
    /// flight per connection), so a client that asks and never reads pins one snapshot, not one per request.
    /// </summary>
    private void EnqueueStatsReply()
    {
        // Only this connection's receive loop queues STATS replies, so the snapshot in flight cannot appear meanwhile;
        // the (rare) rebuild runs outside the lock.
        byte[]? shared;
        lock (_gate)
        {
            shared = _control.StatsInFlight;
        }

        var frame = shared ?? _hub.StatsReply();
        lock (_gate)
        {
            if (!_closing)
            {
                _control.EnqueueStats(frame, _eventsIn);
            }
        }

        _doorbell.Writer.TryWrite(true);
    }

    /// <summary>
    /// Drops this connection's oldest events until <paramref name="bytes"/> are freed or none is left (the broker-wide
    /// bound is exceeded and this connection holds the most). Returns how many were dropped; they count as dropped.
    /// </summary>
    public int ShedOldest(long bytes)
    {
        var dropped = 0;
        var freed = 0L;
        lock (_gate)
        {
            while (freed < bytes && _events.Count > 0)
            {
                freed += DropOldestLocked();
                dropped++;
            }

            // Shedding can bring the queue down to its catch-up mark: a publisher waiting on it goes on.
            OnEventsTakenLocked(0);
        }

        _hub.AddQueuedBytes(-freed);
        Interlocked.Add(ref _dropped, dropped);
        return dropped;
    }

    /// <summary>Takes the oldest queued event out (a drop); returns its bytes. The caller holds <c>_gate</c>.</summary>
    private int DropOldestLocked()
    {
        var bytes = _events.DropOldest(ReportsLost ? (_lost ??= []) : null);
        _queuedBytes -= bytes;
        _eventsOut++;
        return bytes;
    }

    private void DiscardEventsLocked()
    {
        _events.Clear();
        _hub.AddQueuedBytes(-_queuedBytes);
        _queuedBytes = 0;
        _eventsOut = _eventsIn;
        _catchUp.Release()?.TrySetResult();
    }

    private static byte[] Encode(Action<PooledBufferWriter> write)
    {
        using var buffer = new PooledBufferWriter(64);
        write(buffer);
        return buffer.WrittenSpan.ToArray();
    }
}
