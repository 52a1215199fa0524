using System.Collections.Concurrent;
using Decnet.Bus.Internal;
using Decnet.Bus.Unix.Client.Internal;
using Decnet.Bus.Unix.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Decnet.Bus.Unix;

/// <summary>
/// A client of the host's broker over its UNIX socket. Connects lazily on first use, reconnects with capped
/// exponential backoff and re-subscribes by itself. Publishing never throws because the broker is down (such events
/// are dropped and counted) and never waits on consumers; an awaited publish is only paced, for at most
/// <see cref="PaceBound"/>, while the broker reads slower than the caller publishes.
/// </summary>
public sealed partial class UnixSocketBus : IBus
{
    /// <summary>How long <see cref="DisposeAsync"/> lets queued publishes reach the broker before closing.</summary>
    public static readonly TimeSpan DisposeFlushBound = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The longest an awaited <see cref="PublishAsync{TPayload}"/> waits for a broker that reads slower than the
    /// caller publishes (see pacing in docs/Service-Bus.md); past it the broker counts as not reading until it reads
    /// again. Long enough that a busy broker on a loaded host is not mistaken for a hung one.
    /// </summary>
    public static readonly TimeSpan PaceBound = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The gap since the previous publish after which a publish is written straight to the socket (when nothing is
    /// queued and the send loop sleeps) instead of waking the send loop: 50 µs, so publishers slower than about 20,000
    /// events/s save a thread hand-off per event, and faster ones keep the send loop's batching.
    /// </summary>
    internal static readonly TimeSpan QuietGap = TimeSpan.FromMicroseconds(50);

    /// <summary>How long <see cref="SubscribeAsync(string, SubscriptionOptions?, CancellationToken)"/> waits for the broker before returning a not-yet-live subscription.</summary>
    public static readonly TimeSpan SubscribeWaitBound = TimeSpan.FromSeconds(5);

    private readonly DecnetBusOptions _options;
    private readonly ReconnectDelays _reconnect;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly long _quietGapTicks;
    private readonly PublishClock _clock;
    private readonly BusCounterSet _counters = new(DecnetBusOptions.UnixTransport);
    private readonly ClientOutbox _outbox;
    private BrokerIdentity _brokerIdentity;
    private volatile string _socketPath;
    private readonly ConcurrentDictionary<uint, ClientSubscription> _subscriptions = new();
    private readonly CancellationTokenSource _disposing = new();
    private readonly Lock _startGate = new();
    private Task _run = Task.CompletedTask;
    private bool _started;
    private int _disposed;
    private uint _nextSid;

    /// <summary>Creates a client for <paramref name="options"/>'s socket; nothing connects until first use.</summary>
    /// <exception cref="ArgumentException">The socket path cannot be a UNIX socket's: empty, longer than <see cref="DecnetBusOptions.MaxSocketPathBytes"/> UTF-8 bytes, or holding a NUL.</exception>
    public UnixSocketBus(DecnetBusOptions options, ILogger<UnixSocketBus>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _reconnect = ReconnectDelays.Of(options);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        _quietGapTicks = TimestampSpan.Of(QuietGap, _time);
        _clock = new PublishClock(_time);
        _outbox = new ClientOutbox(ProtocolConstants.MaxQueuedBytesPerConnection, ProtocolConstants.MaxQueueSize, _time, PaceBound);
        _socketPath = options.SocketPath;

        // Options set in code skip the validator: refused here, not by every connect attempt of the reconnect loop. No
        // default path at all is not refused: publishes are then dropped and counted, as when the broker is down.
        if ((options.SocketPathConfigured || SocketPath.Length > 0) && DecnetBusOptionsValidator.DescribeSocketPath(SocketPath) is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        _brokerIdentity = new BrokerIdentity(SocketPath, options.BrokerUid);
    }

    /// <summary>
    /// The broker's socket path: the one set in the options, or else the default (<see cref="DecnetBusOptions.DefaultSocketPath()"/>)
    /// as resolved at the latest connect attempt; empty while no default exists.
    /// </summary>
    public string SocketPath => _socketPath;

    /// <summary>
    /// <see cref="SocketPath"/> escaped, for log lines and messages (it may come from a file another process wrote).
    /// </summary>
    private string ShownPath => UntrustedText.Escape(SocketPath);

    /// <summary>True while a handshaken connection to the broker is up.</summary>
    public bool IsConnected => _connection is not null;

    /// <inheritdoc />
    public BusCounters Counters => _counters.Snapshot;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Task run;
        bool started;
        lock (_startGate)
        {
            // A run started by a call racing this one is seen here, or never starts (EnsureStarted).
            (run, started) = (_run, _started);
        }

        if (!started)
        {
            // No run will complete the attempt now: a call that passed its disposed check before the exchange above and
            // then found no run to start (EnsureStarted) would wait out its bound for it.
            Volatile.Read(ref _attempt).TrySetResult(null);
        }

        try
        {
            // An inline handler runs on the receive thread, which the run (and so both waits below) waits for: its
            // token is cancelled first, and a call in progress is waited for at most DisposeFlushBound plus
            // DeliveryLoop.StopBound, then left to finish alone, as the delivery loop leaves a handler that ignores its
            // token. An inline enumerable consumer has no token of ours: one that holds the thread is waited for within
            // the same bounds, and its enumeration ends when it next asks for an event (the subscriptions are disposed
            // below).
            foreach (var subscription in _subscriptions.Values)
            {
                if (subscription.Queue is HandlerSubscription { Inline: true } inline)
                {
                    inline.CancelHandler();
                }
            }

            // Let what was published reach the broker (bounded), unless the broker is known to be down. Past the bound
            // (or should the run have failed) the disposal goes on: it must end what this bus holds.
            _outbox.Close(EncodeBye());
            if (started && _state != ConnectionState.Down)
            {
                await run.WaitAsync(DisposeFlushBound, _time).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            await _disposing.CancelAsync().ConfigureAwait(false);
            _connection?.Abort();

            await run.WaitAsync(DeliveryLoop.StopBound, _time).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

            foreach (var subscription in _subscriptions.Values)
            {
                await subscription.Queue.DisposeAsync().ConfigureAwait(false);
            }

            _subscriptions.Clear();
            if (_deliveryLoop is { } loop)
            {
                await loop.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            // Even when a step above throws: idle, the thread waits for work for good and would outlive the bus.
            lock (_resumeGate)
            {
                _resumeThread?.Dispose();
            }
        }

        _counters.AddDropped(_outbox.DropData());
        _disposing.Dispose();
    }

    private static byte[] EncodeBye()
    {
        using var buffer = new PooledBufferWriter(16);
        FrameWriter.WriteSimple(buffer, FrameKind.Bye);
        return buffer.WrittenSpan.ToArray();
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
