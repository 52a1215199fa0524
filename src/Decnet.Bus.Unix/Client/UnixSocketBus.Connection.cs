using Decnet.Bus.Internal;
using Decnet.Bus.Unix.Client.Internal;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix;

public sealed partial class UnixSocketBus
{
    internal static readonly TimeSpan StatsTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A connection that ends sooner than this after its handshake counts as a failed attempt: the backoff keeps
    /// growing instead of restarting, so a broker that accepts and then closes at once is not hammered.
    /// </summary>
    internal static readonly TimeSpan StableConnection = TimeSpan.FromSeconds(5);

    private volatile ClientConnection? _connection;
    private volatile ConnectionState _state = ConnectionState.Connecting;
    private TaskCompletionSource<ClientConnection?> _attempt = NewAttempt();
    private TaskCompletionSource _connectionChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _generation;
    private int _connectionsEnded;

    /// <summary>
    /// Creates a client and connects it now (for the CLI, which must tell "no broker" apart quickly). The returned
    /// client then behaves like any other: it reconnects by itself if the broker goes away later.
    /// </summary>
    /// <exception cref="BusUnavailableException">
    /// No broker answered on the socket path, or the process that answered runs as a uid this client does not trust as
    /// its broker (the message says which, naming the uid and DECNET_BUS_BROKER_UID), or this user was refused (the
    /// inner exception a <see cref="ConnectDeniedException"/>): by the socket's permissions (the message names the
    /// socket's group) or by the broker's allow-list, ERR 12 (the message quotes the broker's text).
    /// </exception>
    /// <exception cref="ArgumentException">The socket path cannot be a UNIX socket's (see the constructor).</exception>
    public static async Task<UnixSocketBus> ConnectAsync(DecnetBusOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var bus = new UnixSocketBus(options);
        try
        {
            bus.EnsureStarted();
            var connection = await bus.WaitForConnectionAsync(ProtocolConstants.HandshakeTimeout, cancellationToken).ConfigureAwait(false);
            return connection is not null ? bus : throw bus.Unavailable();
        }
        catch
        {
            await bus.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Starts connecting and waits (bounded by the handshake timeout) for the first attempt's outcome; true when the
    /// client is connected. <c>decnet bridge</c> calls it before its start line, so "up" and "down" there are found,
    /// not inferred from whether anything was sent yet. A failure is not thrown: the client keeps retrying.
    /// </summary>
    internal async Task<bool> TryConnectAsync(CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        EnsureStarted();
        return await WaitForConnectionAsync(ProtocolConstants.HandshakeTimeout, cancellationToken).ConfigureAwait(false) is not null;
    }

    /// <summary>Fetches the broker's counters and per-connection rows over this client's connection.</summary>
    /// <exception cref="BusUnavailableException">The broker cannot be reached.</exception>
    public async Task<BrokerStats> GetBrokerStatsAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        EnsureStarted();
        var connection = await WaitForConnectionAsync(ProtocolConstants.HandshakeTimeout, cancellationToken).ConfigureAwait(false)
            ?? throw Unavailable();
        try
        {
            return await connection.RequestStatsAsync().WaitAsync(StatsTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or TimeoutException)
        {
            throw new BusUnavailableException(SocketPath, $"bus: no STATS reply from {ShownPath}: {UntrustedText.Escape(ex.Message)}", ex);
        }
    }

    /// <summary>
    /// Waits until the broker has routed every event this client published before the call, and has written to this
    /// client every event it had queued for it by then: a PING behind the queued publishes, answered by a PONG that
    /// the broker sends only after both (docs/wire-protocol.md, "Ordering"). A short-lived publisher calls it before
    /// it exits; a benchmark, to know its events are out. Publishes the client dropped (a full outbox, counted in
    /// <see cref="Counters"/>) are not waited for. Not on <see cref="IBus"/>: see docs/Service-Bus.md, "Flushing".
    /// </summary>
    /// <exception cref="BusUnavailableException">No broker, or the connection ended before the PONG.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        EnsureStarted();
        _ = await WaitForConnectionAsync(ProtocolConstants.HandshakeTimeout, cancellationToken).ConfigureAwait(false)
            ?? throw Unavailable();
        try
        {
            await _outbox.FlushAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw new BusUnavailableException(SocketPath, $"bus: no flush reply from {ShownPath}: {UntrustedText.Escape(ex.Message)}", ex);
        }
    }

    /// <summary>How many connections have been handshaken and fully re-subscribed so far.</summary>
    internal int Generation => Volatile.Read(ref _generation);

    /// <summary>
    /// How many connections have ended, counted before their flushes fail: a flush answered while it stayed the same
    /// was answered on the connection that carried what was published before it (<c>decnet pub</c> checks it).
    /// </summary>
    internal int ConnectionsEnded => Volatile.Read(ref _connectionsEnded);

    /// <summary>The live connection's kernel send buffer (SO_SNDBUF as Linux reports it); null while down. For tests.</summary>
    internal int? KernelSendBuffer => _connection?.KernelSendBuffer;

    /// <summary>The live connection's socket descriptor; null while down. For tests.</summary>
    internal int? SocketDescriptor => _connection?.SocketDescriptor;

    /// <summary>
    /// Completes at the next change of the connection: a new one handshaken and re-subscribed (<see cref="Generation"/>
    /// went up), or the current one gone (<see cref="IsConnected"/> went false). Tests and the load harness await it
    /// instead of polling.
    /// </summary>
    internal Task ConnectionChanged => Volatile.Read(ref _connectionChanged).Task;

    /// <summary>Completes once <see cref="Generation"/> reaches <paramref name="generation"/> (tests await reconnects with it).</summary>
    internal Task WaitForGenerationAsync(int generation, CancellationToken cancellationToken)
        => WaitForConnectionStateAsync(() => Generation >= generation, cancellationToken);

    /// <summary>
    /// Completes once <paramref name="reached"/> holds, checked now and after every <see cref="ConnectionChanged"/>
    /// (taken before each check, so a change in between is not missed). For tests.
    /// </summary>
    internal async Task WaitForConnectionStateAsync(Func<bool> reached, CancellationToken cancellationToken)
    {
        while (true)
        {
            var changed = ConnectionChanged;
            if (reached())
            {
                return;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void SignalConnectionChanged()
        => Interlocked.Exchange(ref _connectionChanged, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    private static TaskCompletionSource<ClientConnection?> NewAttempt() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void EnsureStarted()
    {
        if (_started)
        {
            return;
        }

        lock (_startGate)
        {
            // Not once disposing: the disposal, which reads _started and _run under this lock, would not wait for it.
            if (!_started && Volatile.Read(ref _disposed) == 0)
            {
                // On the pool, so not even the loop's first steps run in the first publisher's context.
                _run = WithoutCallerContext.Start(() => Task.Run(RunAsync));
                _started = true;
            }
        }
    }

    /// <summary>The live connection, or the outcome of the attempt in progress (bounded); null when the broker is down.</summary>
    private async Task<ClientConnection?> WaitForConnectionAsync(TimeSpan bound, CancellationToken cancellationToken)
    {
        if (_connection is { } live)
        {
            return live;
        }

        if (_state == ConnectionState.Down)
        {
            return null;
        }

        try
        {
            return await Volatile.Read(ref _attempt).Task.WaitAsync(bound, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    private async Task RunAsync()
    {
        // Read before the yield: a disposal that runs while the pool is slow to resume this disposes the source, and
        // reading its token then would throw where nothing observes it, and the run would end unlogged.
        var token = _disposing.Token;
        await Task.CompletedTask.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        var delay = _reconnect.Min;
        var outage = false; // one warning per outage; the retries log at Debug

        while (!token.IsCancellationRequested && !(_outbox.IsClosing && _state == ConnectionState.Down))
        {
            ClientConnection connection;
            try
            {
                _outbox.ClearControl();
                ResolveDefaultPath();
                if (SocketPath.Length == 0)
                {
                    // An outage like any other: publishes are dropped and counted, the loop retries.
                    throw new IOException(DecnetBusOptions.NoSocketPathMessage);
                }

                var hello = new HelloMessage(ProtocolConstants.Version, _options.ClientName, _options.Echo, _options.QueueSize, 0, ReportLost: true);
                connection = await ClientConnection.ConnectAsync(SocketPath, hello, _outbox, FindSubscription, OnRequestRejected, _counters, _logger, _options.KeepaliveInterval, _options.CatchUpWait, _options.SendBufferBytes, _time, _brokerIdentity, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // Any failure is a failed attempt: a loop ended by an unexpected one would leave the bus Connecting for good.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                // Set before the attempt's result below, so the caller that awaited it sees why it failed.
                _untrusted = ex as UntrustedBrokerException;
                _denied = ConnectDeniedException.From(ex);
                if (_untrusted is { } untrusted)
                {
                    CountUntrusted(untrusted);
                }
                else if (ex is not (System.Net.Sockets.SocketException or IOException or TimeoutException or ProtocolException or BrokerRefusedException))
                {
                    // Not an outage: a bug, which the message alone would hide behind an endless quiet retry.
                    ClientLog.UnexpectedConnectFailure(_logger, ShownPath, ex);
                }

                _state = ConnectionState.Down;
                _counters.AddDropped(_outbox.DropData());
                Volatile.Read(ref _attempt).TrySetResult(null);
                // Armed before the log line, as below for a short-lived connection.
                var wait = Jittered(delay);
                var retrying = DelayAsync(wait, token);
                if (outage)
                {
                    ClientLog.ConnectFailed(_logger, ShownPath, ex.Message, (long)wait.TotalMilliseconds);
                }
                else
                {
                    // The reason may quote a broker's ERR text: escaped so it stays one line.
                    ClientLog.Unreachable(_logger, ShownPath, UntrustedText.Escape(ex.Message));
                    outage = true;
                }

                if (!await retrying.ConfigureAwait(false))
                {
                    break;
                }

                delay = _reconnect.Next(delay);
                Volatile.Write(ref _attempt, NewAttempt());
                continue;
            }

            outage = false;
            _untrusted = null;
            _denied = null;
            var connectedAt = _time.GetTimestamp();
            ClientLog.Connected(_logger, ShownPath, connection.Welcome.BrokerPid);
            DropOverLimit(connection.Welcome);
            _outbox.Attach(connection.Writer);
            connection.Start();
            _connection = connection;
            _state = ConnectionState.Connected;
            Volatile.Read(ref _attempt).TrySetResult(connection);

            Task resubscribed = Task.WhenAll(_subscriptions.Values.Select(connection.SubscribeAsync));
            await resubscribed.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            Interlocked.Increment(ref _generation);
            SignalConnectionChanged();

            // Completion never faults (ClientConnection ends on any error), but the loop must survive regardless.
            await connection.Completion.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            Interlocked.Increment(ref _connectionsEnded);
            MarkMayHaveMissed();
            _connection = null;
            _state = ConnectionState.Down;
            SignalConnectionChanged();
            Volatile.Write(ref _attempt, NewAttempt());
            _counters.AddDropped(_outbox.DropData());
            try
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
#pragma warning disable CA1031 // As for a failed connect: a loop ended by a throw would leave the bus Down for good, dropping every publish.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                ClientLog.UnexpectedConnectionEnd(_logger, ShownPath, ex);
            }

            var lived = _time.GetElapsedTime(connectedAt);
            if (lived >= StableConnection || _outbox.IsClosing)
            {
                delay = _reconnect.Min;
                continue;
            }

            // The wait's timer is armed before the line that announces it, so whoever reads the line and then moves the
            // clock (a test on a fake one) cannot move it before the timer exists.
            var backoff = Jittered(delay);
            var waiting = DelayAsync(backoff, token);
            ClientLog.ShortLivedConnection(_logger, ShownPath, (long)lived.TotalMilliseconds, (long)backoff.TotalMilliseconds);
            if (!await waiting.ConfigureAwait(false))
            {
                break;
            }

            delay = _reconnect.Next(delay);
        }

        _state = ConnectionState.Down;
        Volatile.Read(ref _attempt).TrySetResult(null);
    }

    /// <summary>
    /// Reads the default socket path again when none was set: /run/decnet may have appeared (or gone) since the last
    /// attempt, as systemd recreates it around a broker restart (docs/operations.md, "Where the socket is"). A path
    /// that was set stays fixed.
    /// </summary>
    /// <exception cref="IOException">The default path now resolved cannot be a UNIX socket's (too long).</exception>
    private void ResolveDefaultPath()
    {
        if (_options.SocketPathConfigured)
        {
            return;
        }

        var path = _options.SocketPath;
        if (string.Equals(path, _socketPath, StringComparison.Ordinal))
        {
            return;
        }

        if (path.Length > 0 && DecnetBusOptionsValidator.DescribeSocketPath(path) is { } problem)
        {
            throw new IOException(problem);
        }

        // Only the run loop connects, so identity and path change together before the attempt that uses them.
        _brokerIdentity = new BrokerIdentity(path, _options.BrokerUid);
        _socketPath = path;
    }

    /// <summary>The delay plus up to 20 % random jitter, so clients of a restarted broker do not reconnect in step.</summary>
    private static TimeSpan Jittered(TimeSpan delay) => delay + TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * delay.TotalMilliseconds * 0.2);

    /// <summary>Waits <paramref name="wait"/>; false when the bus is disposing.</summary>
    private async Task<bool> DelayAsync(TimeSpan wait, CancellationToken token)
    {
        try
        {
            await Task.Delay(wait, _time, token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
#pragma warning disable CA1031 // A wait that fails must not end the loop: the bus would stay down (or connecting) for good.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            // The delays are clamped (ReconnectDelays), so this is a bug: logged with its stack, and the loop retries.
            ClientLog.UnexpectedRetryWaitFailure(_logger, ShownPath, ex);
            return !token.IsCancellationRequested;
        }
    }

    private ClientSubscription? FindSubscription(uint sid) => _subscriptions.GetValueOrDefault(sid);

    /// <summary>
    /// The connection has ended (its last EVT is delivered): whatever is published until the next one is lost
    /// uncounted, so each subscription's next event reports <see cref="BusEvent.MayHaveMissed"/>.
    /// </summary>
    private void MarkMayHaveMissed()
    {
        foreach (var subscription in _subscriptions.Values)
        {
            subscription.Queue.MarkMayHaveMissedBeforeNext();
        }
    }
}
