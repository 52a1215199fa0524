using System.Buffers;
using System.Net.Sockets;
using System.Threading.Channels;
using Decnet.Bus.Unix.Native;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Sending;

/// <summary>
/// The one writer of a socket, for the broker's connections and the client alike: a send loop that drains an
/// <see cref="ISendSource"/> into batched writes and parks when it is empty, and a send token that lets one other
/// thread write inline while the loop is parked (a broker read flushing what it routed, a publisher after a quiet
/// spell), so a small batch costs one write instead of a loop wake-up as well.
/// </summary>
/// <remarks>
/// <para>
/// Whoever holds the token is the only thread writing: the loop while it runs, or one inline writer while it is parked.
/// The unsent tail of an inline write is kept and sent by the loop before anything else, because it continues the
/// byte stream. Every method named <c>…Locked</c> is called with the source's <see cref="ISendSource.Gate"/> held, so
/// a producer decides "queued" and "the loop must be woken" in one critical section.
/// </para>
/// <para>
/// The rules that keep a wake-up from being lost: the loop parks only under the gate, after seeing no work, and starts
/// each idle spell with no wake-up on its way; a producer that queues work while the loop is parked either claims the
/// one wake-up (<see cref="ClaimWakeLocked"/>) and then rings or writes inline, or finds a wake-up already on its way
/// or an inline writer at work, and an inline writer rings, when it gives the token back, for anything queued meanwhile.
/// </para>
/// </remarks>
internal sealed partial class SocketWriter : IDisposable
{
    /// <summary>The most the loop hands the socket per send while a stall timeout applies.</summary>
    internal const int StallSliceBytes = 64 * 1024;

    private readonly Socket _socket;
    private readonly ISendSource _source;
    private readonly Lock _gate;
    private readonly TimeSpan _stallTimeout;
    private readonly TimeProvider _time;
    private readonly bool _releaseWhenParked;
    private readonly bool _yieldAfterSend;

    // Rung by Ring for a loop on the pool; a loop on its own thread has the bell instead (exactly one of the two).
    private readonly Channel<bool>? _doorbell;

    // Guarded by the source's gate. _parked: the loop waits for a ring (doorbell or bell) and holds no bytes.
    // _wakeOnWay: a ring, or a claimed flush that will ring or write, is on its way to the parked loop. _inline: a thread
    // other than the loop holds the send token. _leftover: the unsent tail of an inline write.
    private bool _parked;
    private bool _wakeOnWay;
    private bool _inline;
    private bool _disposed;
    private PooledBufferWriter? _leftover;
    private TaskCompletionSource? _parkWatch;
    private TaskCompletionSource? _freeWatch;
    private long _sentBytes;

    // Not under the gate (SocketFullAsync): whether a send of the loop waits for room, and who waits for that.
    private TaskCompletionSource? _fullWatch;
    private bool _waitingForRoom;

    /// <param name="socket">The socket; the writer sends on it and half-closes it after the final frame.</param>
    /// <param name="source">What to send.</param>
    /// <param name="stallTimeout">How long a slice may wait for the peer to take it before the loop ends as stalled; infinite for none.</param>
    /// <param name="time">The clock of the stall timeout.</param>
    /// <param name="releaseWhenParked">
    /// Whether the loop gives its batch buffer back each time it parks: for the broker, whose idle connections must hold
    /// no send memory; not for a client's one connection, whose loop parks between most batches and would otherwise
    /// rent and grow the buffer again each time.
    /// </param>
    /// <param name="yieldAfterSend">
    /// Whether the loop yields its thread's time slice after each send before it takes the next batch: for a client,
    /// whose publishers then add to the batch meanwhile (fewer, larger sends). What it sent has left already; a publish
    /// during the yield is queued rather than written directly, since the loop still holds the send token.
    /// </param>
    /// <param name="ownThread">
    /// Whether the loop runs on a thread of its own (<see cref="Run"/>) instead of the pool (<see cref="RunAsync"/>):
    /// for a client, without a stall timeout.
    /// </param>
    public SocketWriter(Socket socket, ISendSource source, TimeSpan stallTimeout, TimeProvider time, bool releaseWhenParked, bool yieldAfterSend = false, bool ownThread = false)
    {
        if (ownThread && stallTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentException("A loop on its own thread has no stall timeout.", nameof(stallTimeout));
        }

        _bell = ownThread ? new ManualResetEventSlim(false) : null;
        _doorbell = ownThread
            ? null
            : Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
        _releaseWhenParked = releaseWhenParked;
        _yieldAfterSend = yieldAfterSend;
        _socket = socket;
        _source = source;
        _gate = source.Gate;
        _stallTimeout = stallTimeout;
        _time = time;
    }

    /// <summary>Bytes the socket has taken so far, by the loop and by inline writes.</summary>
    public long SentBytes => Interlocked.Read(ref _sentBytes);

    /// <summary>
    /// A count that grows when the peer reads: <see cref="SentBytes"/> less what the socket still holds unread
    /// (<see cref="SendQueue.Unread"/>, in the kernel's buffer sizes, so only its rises mean anything). A send counted
    /// as it is made lowers it, since a buffer costs more than the bytes it holds; but a send is added to
    /// <see cref="SentBytes"/> only once it has completed, so one the kernel took just before a reading and counted just
    /// after looks like a rise once. <see cref="long.MinValue"/> when the socket cannot say (it is closed). A catch-up wait's progress for a broker connection
    /// (<see cref="Bus.Internal.ICatchUpTarget.Progress"/>): the socket turns writable only once the peer has read most
    /// of its buffer, so the send loop alone can stand still for longer than a wait's bound while a slow peer reads
    /// (docs/performance-history-2.md, part 7).
    /// </summary>
    public long PeerProgress
    {
        get
        {
            var sent = SentBytes;
            var unread = SendQueue.Unread(_socket);
            return unread < 0 ? long.MinValue : sent - unread;
        }
    }

    /// <summary>
    /// Called after queuing work: claims the parked loop's one wake-up. True means the caller must then either
    /// <see cref="Ring"/> (after releasing the gate) or, later and with the gate held again, start a flush
    /// (<see cref="BeginFlushLocked"/>); false means the loop is at work, a wake-up is already on its way, or an inline
    /// writer will ring when it is done.
    /// </summary>
    public bool ClaimWakeLocked()
    {
        if (!_parked || _wakeOnWay || _inline)
        {
            return false;
        }

        _wakeOnWay = true;
        return true;
    }

    /// <summary>
    /// For a caller that claimed the wake-up: gives the claim up and says what to do instead. <see cref="FlushStart.Inline"/>
    /// hands the caller the send token (it takes a batch under the gate and calls <see cref="WriteInline"/>);
    /// <paramref name="inlineAllowed"/> false (the stream is ending, say) makes it a ring.
    /// </summary>
    public FlushStart BeginFlushLocked(bool inlineAllowed)
    {
        _wakeOnWay = false;
        if (!_parked || _inline)
        {
            return FlushStart.Busy;
        }

        if (!inlineAllowed || _leftover is not null || _disposed)
        {
            _wakeOnWay = true;
            return FlushStart.Ring;
        }

        _inline = true;
        return FlushStart.Inline;
    }

    /// <summary>
    /// Takes the send token for one inline write, without a claim: only while the loop is parked, no one else writes
    /// and no unsent tail waits. The caller must call <see cref="WriteInline"/>.
    /// </summary>
    public bool TryBeginInlineLocked()
    {
        if (!_parked || _inline || _leftover is not null || _disposed)
        {
            return false;
        }

        _inline = true;
        return true;
    }

    /// <summary>
    /// For the token's inline holder: writes what the socket takes now, with a send that never blocks, keeps the rest
    /// for the loop, and gives the token back, waking the loop for the rest and for anything queued meanwhile. False
    /// when the socket is broken or closed (the caller ends the connection).
    /// </summary>
    public bool WriteInline(ReadOnlySpan<byte> bytes)
    {
        var sent = NonBlockingSend.Send(_socket, bytes);
        if (sent > 0)
        {
            Interlocked.Add(ref _sentBytes, sent);
        }

        bool ring;
        lock (_gate)
        {
            _inline = false;
            if (sent >= 0 && sent < bytes.Length && !_disposed)
            {
                _leftover = new PooledBufferWriter(bytes.Length - sent);
                _leftover.Write(bytes[sent..]);
            }

            ring = _parked && !_wakeOnWay && (_leftover is not null || _source.HasWorkLocked);
            _wakeOnWay |= ring;
            ReleaseFreeWatchLocked();
        }

        if (ring)
        {
            Ring();
        }

        return sent >= 0;
    }

    /// <summary>Wakes the loop: it takes what is queued, or parks again. Safe to call any time, from any thread.</summary>
    public void Ring()
    {
        _bell?.Set();
        _doorbell?.Writer.TryWrite(true);
    }

    /// <summary>Drops the unsent tail of an inline write (the connection is over); later inline writes keep none.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _leftover?.Dispose();
            _leftover = null;
            _freeWatch?.TrySetException(new ObjectDisposedException(nameof(SocketWriter)));
            _freeWatch = null;
            Interlocked.Exchange(ref _fullWatch, null)?.TrySetException(new ObjectDisposedException(nameof(SocketWriter)));
        }
    }

    /// <summary>After a loop's send of <paramref name="batch"/>: the source learns it left, and the batch is emptied.</summary>
    private void AfterSend(PooledBufferWriter batch, bool final)
    {
        _source.OnSent();
        batch.Reset();
        if (_yieldAfterSend && !final)
        {
            // Lets the producers this loop drains run before it takes again, so the next batch is larger: a flat-out
            // publisher's loop made 4× fewer sends (docs/performance-history-2.md, part 6, item 3).
            Thread.Yield();
        }
    }

    /// <summary>Under the gate: takes the token and a batch (the unsent tail first), or parks when there is nothing.</summary>
    private bool TakeOrPark(PooledBufferWriter batch, out bool final)
    {
        final = false;
        lock (_gate)
        {
            if (_inline || (_leftover is null && !_source.HasWorkLocked))
            {
                // A new idle spell starts with no wake-up on its way (one rung for the last spell is spent by now, or
                // reaches a loop that finds nothing and parks again). An inline writer rings when it is done.
                _parked = true;
                _wakeOnWay = false;
                _parkWatch?.TrySetResult();
                _parkWatch = null;
                ReleaseFreeWatchLocked();
                return false;
            }

            _parked = false;
            _wakeOnWay = false;
            if (_leftover is { } leftover)
            {
                batch.Write(leftover.WrittenSpan);
                leftover.Dispose();
                _leftover = null;
            }

            final = _source.TakeLocked(batch);
            return true;
        }
    }
}
