using System.Collections.Concurrent;
using Decnet.Bus.Internal;
using Decnet.Bus.Nats.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.Core;

namespace Decnet.Bus.Nats;

/// <summary>
/// A bus client over NATS (<c>DECNET_BUS_TYPE=nats</c>) on the official <c>NATS.Client.Core</c>. Subject = topic; the
/// body is the same MessagePack envelope the UNIX transport carries. Connects in the background, reconnects and
/// re-subscribes by itself; publishing never throws because NATS is down (such events are dropped and counted).
/// See docs/cross-host.md for where its semantics differ from the UNIX broker's and how they are adapted.
/// </summary>
public sealed partial class NatsBus : IBus
{
    /// <summary>
    /// How long <see cref="SubscribeAsync(string, SubscriptionOptions?, CancellationToken)"/> waits for the first connection
    /// being made, or for a connected server's PONG, before returning a not-yet-live subscription.
    /// </summary>
    public static readonly TimeSpan SubscribeWaitBound = TimeSpan.FromSeconds(5);

    /// <summary>How long a publish made while the first connection is being made waits for it.</summary>
    public static readonly TimeSpan FirstConnectWaitBound = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long <see cref="DisposeAsync"/> lets published events reach the server before closing; a stalled server
    /// costs the disposal this bound and the socket's close, whatever the number of subscriptions. Publishes the server
    /// has not confirmed by then are counted as dropped; publishes still waiting in the lane get up to this bound again
    /// to end, and any still waiting after that are counted as they end, possibly after the disposal has returned.
    /// </summary>
    public static readonly TimeSpan DisposeFlushBound = TimeSpan.FromSeconds(1);

    private readonly DecnetBusOptions _options;

    // Read once: the property is computed (unset, it follows the frame limit), and the lane checks it per publish.
    private readonly long _maxLaneBytes;
    private readonly ILogger _logger;
    private readonly NatsConnection _connection;
    private readonly BusCounterSet _counters = new(DecnetBusOptions.NatsTransport);
    private readonly PublishStall _stall;
    private readonly ConcurrentDictionary<SubscriptionSlot, byte> _subscriptions = new();
    private readonly Lock _startGate = new();
    private Task _connect = Task.CompletedTask;
    private readonly TaskCompletionSource _firstAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _refused = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _authorizationRefused;
    private readonly CancellationTokenSource _disposing = new();
    private TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _started;
    private int _disposed;
    private long _opened;
    private long _disconnects;
    private long _rejected;
    private long _serverErrors;
    private long _slowConsumer;
    private long _publishWaits;

    /// <summary>Creates a client for <paramref name="options"/>; it connects in the background on first use.</summary>
    /// <param name="options">Validated bus options; <see cref="DecnetBusOptions.Nats"/> says where and how to connect.</param>
    /// <param name="loggerFactory">Logs of this client and of the NATS client; null for none.</param>
    public NatsBus(DecnetBusOptions options, ILoggerFactory? loggerFactory = null)
        : this(options, loggerFactory, echo: null)
    {
    }

    internal NatsBus(DecnetBusOptions options, ILoggerFactory? loggerFactory, bool? echo)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _maxLaneBytes = options.MaxQueueBytes;
        _stall = new PublishStall(options.StallTimeout, TimeProvider.System);
        _logger = (ILogger?)loggerFactory?.CreateLogger<NatsBus>() ?? NullLogger.Instance;
        _connection = new NatsConnection(NatsOptsFactory.Create(options, new NatsClientLogTap(loggerFactory ?? NullLoggerFactory.Instance, OnServerError, OnReconnectFailed), echo));
        _connection.ConnectionOpened += OnOpenedAsync;
        _connection.ConnectionDisconnected += OnDisconnectedAsync;
        _connection.OnConnectingAsync = OnConnectingAsync;
    }

    /// <inheritdoc />
    public BusCounters Counters => _counters.Snapshot;

    /// <summary>True while the connection to a NATS server is open.</summary>
    public bool IsConnected => _connection.ConnectionState == NatsConnectionState.Open;

    /// <summary>What this client knows about its NATS connection (for <c>decnet stats</c>).</summary>
    public NatsBusStats GetStats()
    {
        var info = _connection.ServerInfo;
        return new NatsBusStats(
            _connection.ConnectionState.ToString(),
            string.Join(',', _options.Nats.Urls),
            info is null ? null : $"{info.Name} {info.Id} v{info.Version}",
            info?.MaxPayload ?? 0,
            Counters,
            _subscriptions.Count,
            Math.Max(0, Interlocked.Read(ref _opened) - 1),
            Interlocked.Read(ref _disconnects),
            Interlocked.Read(ref _rejected),
            Interlocked.Read(ref _slowConsumer),
            Interlocked.Read(ref _serverErrors),
            Interlocked.Read(ref _publishWaits));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // No connect starts once disposed (EnsureStarted): a call past its disposed check must not wait for one.
        _firstAttempt.TrySetResult();
        var unflushed = false;
        if (IsConnected)
        {
            // PING/PONG: every publish written before it has reached the server (bounded, like the UNIX client).
            try
            {
                using var bound = new CancellationTokenSource(DisposeFlushBound);
                await PingConfirmingAsync(bound.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or NatsException or ObjectDisposedException)
            {
                unflushed = true;
            }
        }

        foreach (var slot in _subscriptions.Keys)
        {
            await slot.Channel.DisposeAsync().ConfigureAwait(false);
        }

        if (_deliveryLoop is { } loop)
        {
            await loop.DisposeAsync().ConfigureAwait(false);
        }

        await _disposing.CancelAsync().ConfigureAwait(false);
        _connection.ConnectionOpened -= OnOpenedAsync;
        _connection.ConnectionDisconnected -= OnDisconnectedAsync;
        try
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NatsException or OperationCanceledException or TimeoutException)
        {
            // The client closes its socket, then UNSUBs the subscriptions it still holds; when the server died with the
            // client's write buffer full nothing drains it, so those time out and the client's dispose stops there.
            // Its socket is closed; what it had not disposed yet stays with it, and none of it refers to this bus.
            Log.DisposeIncomplete(_logger, UntrustedText.DescribeException(ex));
        }

        if (unflushed)
        {
            // The client has discarded its write buffer with the socket: what it took and no PONG confirmed is lost.
            await CountUnflushedAsync().ConfigureAwait(false);
        }

        await _connect.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _disposing.Dispose();
    }

    private async ValueTask OnOpenedAsync(object? sender, NatsEventArgs args)
    {
        if (Volatile.Read(ref _closed).Task.IsCompleted)
        {
            Volatile.Write(ref _closed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }

        // The new connection is being read: whatever stall the last one had is over.
        Unstalled();
        ForgetReconnectReasons();
        if (Interlocked.Increment(ref _opened) > 1)
        {
            Log.Reconnected(_logger, UntrustedText.Escape(args.Message));
        }

        if (Volatile.Read(ref _disposed) == 0)
        {
            await ResubscribeAsync().ConfigureAwait(false);
        }

        Volatile.Read(ref _open).TrySetResult();
    }

    /// <summary>
    /// Runs in the client's reconnect loop before each attempt, so before the attempt re-sends the SUBs and its reader
    /// delivers anything. The client raises "disconnected" from a queue of its own, one handler at a time, and a slow
    /// handler can hold it until the new connection's first events have arrived: a mark made there would flag a
    /// later event.
    /// </summary>
    private ValueTask<(string Host, int Port)> OnConnectingAsync((string Host, int Port) server)
    {
        if (_connection.ConnectionState == NatsConnectionState.Reconnecting)
        {
            // What the lost connection carried unconfirmed is lost with it (docs/cross-host.md), not counted; whatever
            // is published until the next connection is lost uncounted, so each subscription's next event says so, as
            // after a UNIX client's reconnect (docs/Service-Bus.md, "Missed events").
            ForgetUnconfirmed();
            foreach (var slot in _subscriptions.Keys)
            {
                slot.Channel.MarkMayHaveMissedBeforeNext();
            }
        }

        return ValueTask.FromResult(server);
    }

    private ValueTask OnDisconnectedAsync(object? sender, NatsEventArgs args)
    {
        Interlocked.Increment(ref _disconnects);
        Volatile.Read(ref _closed).TrySetResult();
        if (Volatile.Read(ref _open).Task.IsCompleted)
        {
            Volatile.Write(ref _open, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }

        Log.Disconnected(_logger, UntrustedText.Escape(args.Message));
        return ValueTask.CompletedTask;
    }

    private void Reject(string subject, string error)
    {
        Interlocked.Increment(ref _rejected);
        Log.Rejected(_logger, UntrustedText.Escape(subject), UntrustedText.Escape(error));
    }

    /// <summary>
    /// Whether an attempt to connect was refused for its credentials (the server's <c>Authorization Violation</c>):
    /// the CLI reports that instead of "unavailable", which would send the operator to start a server that runs.
    /// </summary>
    internal bool AuthorizationRefused => _authorizationRefused;

    /// <summary>
    /// Starts connecting and waits up to <paramref name="bound"/> for the connection; true when it is open. The CLI uses
    /// it to report "NATS unreachable" at once instead of dropping silently.
    /// </summary>
    /// <remarks>
    /// Returns false at once when the first attempt was refused (nothing listens at the URL, or the server refused the
    /// credentials); a slow server is waited for. The client keeps retrying in the background either way.
    /// </remarks>
    public async Task<bool> WaitForConnectionAsync(TimeSpan bound, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        EnsureStarted();
        try
        {
            await Task.WhenAny(Volatile.Read(ref _open).Task, _refused.Task).WaitAsync(bound, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        return IsConnected;
    }

    /// <summary>
    /// A PING/PONG round trip: when it returns true, every event published before it has been processed by the server
    /// (a short-lived publisher awaits it before exiting). False when the server did not answer within
    /// <paramref name="bound"/>.
    /// </summary>
    public async Task<bool> FlushAsync(TimeSpan bound, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        if (!IsConnected)
        {
            return false;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(bound);
        try
        {
            await PingConfirmingAsync(timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (IsTransportFailure(ex, cancellationToken))
        {
            return false;
        }
    }

    /// <summary>A fresh header set with this process's claimed identity, to which a caller (the bridge) may add its own.</summary>
    internal static NatsHeaders NewPublisherHeaders() => PublisherClaim.NewHeaders();

    /// <summary>Parses the raw header block a <see cref="DeliveryFilter"/> receives; null when absent or malformed.</summary>
    internal NatsHeaders? ParseHeaders(System.Buffers.ReadOnlySequence<byte>? raw) => HeaderReader.Parse(_connection.HeaderParser, raw);

    /// <summary>Completes once the connection is open and its subscriptions re-established (tests await reconnects with it).</summary>
    internal Task Opened => Volatile.Read(ref _open).Task;

    /// <summary>The NATS client's connection, for tests that hold its event handlers back.</summary>
    internal NatsConnection Connection => _connection;

    /// <summary>True while a stall of the server has outlasted its bound and publishes drop (for tests).</summary>
    internal bool StallOutlasted => _stall.Outlasted;

    /// <summary>Completes once this client has noticed that its connection is gone (tests await outages with it).</summary>
    internal Task Closed => Volatile.Read(ref _closed).Task;

    /// <summary>Completes once the first connection attempt has ended, either way (for tests).</summary>
    internal Task FirstAttempt => _firstAttempt.Task;

    /// <summary>Anything the client throws except an argument error or the caller's own cancellation is the transport failing.</summary>
    private static bool IsTransportFailure(Exception ex, CancellationToken cancellationToken)
        => ex is not ArgumentException && !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested);

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
