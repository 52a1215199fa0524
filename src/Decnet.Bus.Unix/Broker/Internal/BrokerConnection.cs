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
    private readonly Queue<OutboundItem> _events = new();
    private readonly Queue<ControlFrame> _control = new();
    private readonly Channel<bool> _doorbell = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private readonly Dictionary<uint, string> _subscriptions = [];

    // Events dropped per sid since the last batch was taken, for a client that asked for LOST frames (HELLO
    // report_lost). Only touched when an event is dropped. Bounded by the sids the dropped events carried: live
    // subscriptions plus those re-used since the last batch, and every SUB costs a SUBACK in the bounded control lane.
    private Dictionary<uint, long>? _lost;
    private long _queuedBytes;
    private long _controlBytes;

    // Events ever queued, and ever taken out (written, dropped or discarded): in minus out is the queue length, readable
    // without the lock, and a reply that must not overtake queued events waits until out reaches its mark.
    private long _eventsIn;
    private long _eventsOut;

    // The STATS reply queued and not yet written, and how many queued replies share it (docs/wire-protocol.md).
    private byte[]? _statsInFlight;
    private int _statsQueued;
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
    private uint[]? _lastSids;
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

    public void CountPublished() => Interlocked.Increment(ref _published);

    /// <summary>
    /// The sid list of an EVT for the matches in <paramref name="matches"/> from <paramref name="start"/> to
    /// <paramref name="end"/> (all this connection's, sorted). The last list made is kept and shared while the matches
    /// stay the same, as they do for a stream of events on one topic: routing then allocates nothing, and a queue of
    /// such events holds one list. Publishing threads may race here; the loser only allocates a list of its own.
    /// </summary>
    public uint[] SidsFor(List<Route> matches, int start, int end)
    {
        var count = end - start;
        if (Volatile.Read(ref _lastSids) is { } last && last.Length == count)
        {
            var same = true;
            for (var i = 0; i < count && same; i++)
            {
                same = last[i] == matches[start + i].Sid;
            }

            if (same)
            {
                return last;
            }
        }

        var sids = new uint[count];
        for (var i = 0; i < count; i++)
        {
            sids[i] = matches[start + i].Sid;
        }

        Volatile.Write(ref _lastSids, sids);
        return sids;
    }

    /// <summary>True the first time only: the connection stops counting as handshaking (HELLO, or its end).</summary>
    public bool LeaveHandshake() => Interlocked.Exchange(ref _handshakePending, 0) == 1;

    /// <summary>Bytes of events queued here (what the broker-wide bound sheds from the largest holder first).</summary>
    public long QueuedBytes => Volatile.Read(ref _queuedBytes);

    /// <summary>
    /// Queues an EVT, dropping the oldest queued events when the count or byte bound is hit. Returns how many were
    /// dropped. The connection owns <paramref name="item"/> from here on, queued or not.
    /// </summary>
    public int EnqueueEvent(OutboundItem item)
    {
        var dropped = 0;
        var delta = 0L;
        bool ring;
        lock (_gate)
        {
            if (_closing)
            {
                return 0;
            }

            var bytes = item.Bytes;
            while (_events.Count > 0 && (_events.Count >= QueueSize || _queuedBytes + bytes > _hub.Limits.MaxQueueBytes))
            {
                delta -= DropOldestLocked();
                dropped++;
            }

            item.Event.AddRef();
            _events.Enqueue(item);
            _queuedBytes += bytes;
            delta += bytes;
            _eventsIn++;

            // Wake only an idle send loop, once: one flush per batch, not one channel write per event.
            ring = _idle && !_wakePending;
            _wakePending |= ring;
        }

        _hub.AddQueuedBytes(delta);
        Interlocked.Increment(ref _delivered);
        if (dropped > 0)
        {
            Interlocked.Add(ref _dropped, dropped);
        }

        if (ring)
        {
            if (DeferredFlushes.Active)
            {
                // A receive loop is routing a read: it flushes this connection once, at the end of the read.
                DeferredFlushes.Add(this);
            }
            else
            {
                _doorbell.Writer.TryWrite(true);
            }
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

    /// <summary>Counts a dropped event against each of its sids; the next batch taken reports them in LOST frames.</summary>
    private void CountLostLocked(in OutboundItem dropped)
    {
        _lost ??= [];
        ReadOnlySpan<uint> sids = dropped.Sids ?? [dropped.Sid];
        foreach (var sid in sids)
        {
            System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_lost, sid, out _)++;
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

    private static byte[] Encode(Action<PooledBufferWriter> write)
    {
        using var buffer = new PooledBufferWriter(64);
        write(buffer);
        return buffer.WrittenSpan.ToArray();
    }
}
