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

    /// <summary>
    /// Creates a client and connects it now (for the CLI, which must tell "no broker" apart quickly). The returned
    /// client then behaves like any other: it reconnects by itself if the broker goes away later.
    /// </summary>
    /// <exception cref="BusUnavailableException">No broker answered on the socket path.</exception>
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
            throw new BusUnavailableException(SocketPath, $"bus: no STATS reply from {SocketPath}: {ex.Message}", ex);
        }
    }

    /// <summary>How many connections have been handshaken and fully re-subscribed so far.</summary>
    internal int Generation => Volatile.Read(ref _generation);

    /// <summary>
    /// Completes at the next change of the connection: a new one handshaken and re-subscribed (<see cref="Generation"/>
    /// went up), or the current one gone (<see cref="IsConnected"/> went false). Tests and the load harness await it
    /// instead of polling.
    /// </summary>
    internal Task ConnectionChanged => Volatile.Read(ref _connectionChanged).Task;

    /// <summary>Completes once <see cref="Generation"/> reaches <paramref name="generation"/> (tests await reconnects with it).</summary>
    internal async Task WaitForGenerationAsync(int generation, CancellationToken cancellationToken)
    {
        while (true)
        {
            var changed = ConnectionChanged;
            if (Generation >= generation)
            {
                return;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void SignalConnectionChanged()
        => Interlocked.Exchange(ref _connectionChanged, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    private static TaskCompletionSource<ClientConnection?> NewAttempt() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private BusUnavailableException Unavailable()
        => new(SocketPath, $"bus: unavailable at {SocketPath} (is 'decnet bus' running?)");

    private void EnsureStarted()
    {
        if (_started)
        {
            return;
        }

        lock (_startGate)
        {
            if (!_started)
            {
                _run = RunAsync();
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
        await Task.Yield();
        var delay = _options.ReconnectMinDelay;
        var token = _disposing.Token;
        while (!token.IsCancellationRequested && !(_outbox.IsClosing && _state == ConnectionState.Down))
        {
            ClientConnection connection;
            try
            {
                _outbox.ClearControl();
                var hello = new HelloMessage(ProtocolConstants.Version, _options.ClientName, _options.Echo, _options.QueueSize, 0);
                connection = await ClientConnection.ConnectAsync(SocketPath, hello, _outbox, FindSubscription, OnRequestRejected, _logger, _options.KeepaliveInterval, _time, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is System.Net.Sockets.SocketException or IOException or TimeoutException or ProtocolException or BrokerRefusedException)
            {
                _state = ConnectionState.Down;
                _counters.AddDropped(_outbox.DropData());
                Volatile.Read(ref _attempt).TrySetResult(null);
                var wait = Jittered(delay);
                ClientLog.ConnectFailed(_logger, SocketPath, ex.Message, (long)wait.TotalMilliseconds);
                if (!await DelayAsync(wait, token).ConfigureAwait(false))
                {
                    break;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.ReconnectMaxDelay.Ticks));
                Volatile.Write(ref _attempt, NewAttempt());
                continue;
            }

            var connectedAt = _time.GetTimestamp();
            ClientLog.Connected(_logger, SocketPath, connection.Welcome.BrokerPid);
            _outbox.Attach(connection);
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
            _connection = null;
            _state = ConnectionState.Down;
            SignalConnectionChanged();
            Volatile.Write(ref _attempt, NewAttempt());
            _counters.AddDropped(_outbox.DropData());
            await connection.DisposeAsync().ConfigureAwait(false);

            var lived = _time.GetElapsedTime(connectedAt);
            if (lived >= StableConnection || _outbox.IsClosing)
            {
                delay = _options.ReconnectMinDelay;
                continue;
            }

            var backoff = Jittered(delay);
            ClientLog.ShortLivedConnection(_logger, SocketPath, (long)lived.TotalMilliseconds, (long)backoff.TotalMilliseconds);
            if (!await DelayAsync(backoff, token).ConfigureAwait(false))
            {
                break;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.ReconnectMaxDelay.Ticks));
        }

        _state = ConnectionState.Down;
        Volatile.Read(ref _attempt).TrySetResult(null);
    }

    /// <summary>The delay plus up to 20 % random jitter, so clients of a restarted broker do not reconnect in step.</summary>
    private static TimeSpan Jittered(TimeSpan delay) => delay + TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * delay.TotalMilliseconds * 0.2);

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
    }

    private ClientSubscription? FindSubscription(uint sid) => _subscriptions.GetValueOrDefault(sid);
}
