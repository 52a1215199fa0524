using System.Net.Sockets;
using Decnet.Bus.Internal;
using Decnet.Bus.Unix.Broker.Internal;
using Decnet.Bus.Unix.Broker.WarmUp;
using Decnet.Bus.Unix.Native;
using Decnet.Bus.Unix.Protocol;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Decnet.Bus.Unix;

/// <summary>
/// The host's bus broker: owns the UNIX socket (mode 0660, group <see cref="DecnetBusOptions.Group"/>), accepts
/// clients, routes PUB frames to matching subscriptions without decoding payloads, and publishes a heartbeat on
/// <c>system.bus.health</c>. Start it as a hosted service (<c>AddDecnetBusBroker()</c>) or directly.
/// </summary>
public sealed partial class BusServer : IHostedService, IAsyncDisposable
{
    /// <summary>How long a stopping broker lets each client drain its queue before closing it.</summary>
    public static readonly TimeSpan ShutdownFlushBound = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan _acceptBackoffMin = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan _acceptBackoffMax = TimeSpan.FromSeconds(1);

    private readonly DecnetBusOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Dictionary<BrokerConnection, Task> _running = [];
    private readonly CancellationTokenSource _stopping = new();
    private BrokerHub? _hub;
    private Socket? _listener;
    private ulong _socketInode;
    private Task _acceptLoop = Task.CompletedTask;
    private Task _heartbeatLoop = Task.CompletedTask;
    private Task _warmUp = Task.CompletedTask;
    private IdleSweeper? _idleSweeper;
    private int _state; // 0 new, 1 started, 2 stopped

    /// <summary>Creates the broker; nothing is bound until <see cref="StartAsync"/>.</summary>
    public BusServer(IOptions<DecnetBusOptions> options, ILogger<BusServer>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        var path = _options.SocketPath;
        SocketPath = path.Length == 0 ? path : Path.GetFullPath(path);
    }

    /// <summary>Adjusts the limits read from the options before start: tests reach bounds that no option sets this way.</summary>
    internal Func<BrokerLimits, BrokerLimits>? AdjustLimits { get; init; }

    /// <summary>Who decides whether this broker warms up: the process's gate, or a test's own.</summary>
    internal WarmUpGate WarmUpGate { get; init; } = BrokerWarmUp.Process;

    /// <summary>
    /// This broker's warm-up (a completed task when another broker of the process ran it), for tests.
    /// </summary>
    internal Task WarmUp => _warmUp;

    /// <summary>The broker's shared state, for tests that await its counters instead of polling.</summary>
    internal BrokerHub? Hub => _hub;

    /// <summary>The socket path this broker owns (or will own once started).</summary>
    public string SocketPath { get; }

    /// <summary>Current counters and connection rows (what a STATS frame returns).</summary>
    /// <exception cref="InvalidOperationException">The broker has not been started.</exception>
    public BrokerStats GetStats() => (_hub ?? throw new InvalidOperationException("The broker has not been started.")).GetStats();

    /// <summary>
    /// Binds the socket and starts accepting. Returns once clients can connect; the process's first broker also warms
    /// up its paths in the background (docs/performance-history-5.md, part 28).
    /// </summary>
    /// <exception cref="BusStartupException">Another broker answers on the path, the path is not a socket, or its
    /// directory is missing.</exception>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("A BusServer can be started once.");
        }

        try
        {
            var limits = BrokerLimits.From(_options);
            _hub = new BrokerHub(FitDescriptorLimit(AdjustLimits?.Invoke(limits) ?? limits), _time);
            (_listener, _socketInode) = BindSocket();
            if (SendBuffer.KernelCap() is { } cap && _hub.Limits.SendBufferBytes > cap)
            {
                BrokerLog.SendBufferCapped(_logger, _hub.Limits.SendBufferBytes, cap, 2L * cap);
            }
        }
        catch
        {
            // A start that never happened has nothing to stop: no "stopped" line, no removal (docs/reliability.md).
            Volatile.Write(ref _state, 2);
            throw;
        }

        // The loops outlive this call: started without the starter's execution context, so its async-locals (a logging
        // scope, a trace) do not ride along into every connection for the broker's lifetime.
        var hub = _hub;
        var listener = _listener;
        (_acceptLoop, _heartbeatLoop, _idleSweeper, _warmUp) = WithoutCallerContext.Start(() => (
            AcceptLoopAsync(listener, hub),
            HeartbeatLoopAsync(hub),
            IdleSweeper.Start(hub, _time),
            WarmUpGate.StartOnce(_logger, _stopping.Token)));
        return Task.CompletedTask;
    }

    /// <summary>Sends BYE to every client, flushes within a bound, closes them and removes the socket file.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _state, 2) != 1)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);

        // The listener wraps a descriptor bound outside .NET, so disposing it unlinks nothing by name; the file goes
        // below, and only while its inode is still the one this broker bound (docs/reliability.md, "Hostile input II").
        _listener?.Dispose();
        await AwaitQuietly(_acceptLoop).ConfigureAwait(false);
        await AwaitQuietly(_heartbeatLoop).ConfigureAwait(false);
        await _warmUp.ConfigureAwait(false);

        // Closing connections are not probed: each has its BYE and the flush bound.
        if (_idleSweeper is not null)
        {
            await _idleSweeper.DisposeAsync().ConfigureAwait(false);
        }

        Task[] running;
        lock (_running)
        {
            foreach (var connection in _running.Keys)
            {
                connection.CloseGracefully();
            }

            running = [.. _running.Values];
        }

        try
        {
            await Task.WhenAll(running).WaitAsync(ShutdownFlushBound + TimeSpan.FromMilliseconds(500), _time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            lock (_running)
            {
                foreach (var connection in _running.Keys)
                {
                    connection.Abort();
                }
            }
        }

        if (OwnsSocketFile())
        {
            RemoveSocketFile();
            BrokerLog.Stopped(_logger, UntrustedText.Escape(SocketPath));
        }
        else
        {
            BrokerLog.StoppedWithoutSocket(_logger, UntrustedText.Escape(SocketPath));
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        Interlocked.Exchange(ref _state, 2);
        _listener?.Dispose();
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync(Socket listener, BrokerHub hub)
    {
        // On the pool, never on the starter's synchronization context (Task.Yield posts to it): a busy one (a UI
        // thread, a test runner's worker) would keep the broker from accepting.
        await Task.CompletedTask.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        var backoff = TimeSpan.Zero;
        var failures = 0;
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                // EMFILE/ENFILE and friends: keep serving the clients we have and try again later, backing off while
                // it lasts (the pending connection stays in the backlog, so retrying at once would only spin).
                if (failures++ == 0)
                {
                    BrokerLog.AcceptFailed(_logger, ex.Message);
                }

                backoff = backoff == TimeSpan.Zero ? _acceptBackoffMin : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _acceptBackoffMax.Ticks));
                try
                {
                    await Task.Delay(backoff, _time, _stopping.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            if (failures > 0)
            {
                BrokerLog.AcceptRecovered(_logger, failures);
                failures = 0;
                backoff = TimeSpan.Zero;
            }

            Admit(client, hub);
        }
    }

    private void Admit(Socket client, BrokerHub hub)
    {
        var credentials = PeerCredentialsReader.TryRead(client) ?? new PeerCredentials(0, -1, -1);
        if (!hub.Limits.Allowed.Admits(credentials))
        {
            // Checked before the connection holds any broker state: a refused peer costs one small write.
            BrokerLog.PermissionDenied(_logger, credentials.Pid, credentials.Uid, credentials.Gid, hub.Limits.Allowed.ToString());
            hub.CountRejection(BusErrorCode.PermissionDenied);
            Refuse(client, BusErrorCode.PermissionDenied, $"uid {credentials.Uid} gid {credentials.Gid} is not allowed on this bus (DECNET_BUS_ALLOW_UIDS / DECNET_BUS_ALLOW_GIDS)");
            return;
        }

        SendBuffer.Apply(client, hub.Limits.SendBufferBytes);
        var connection = new BrokerConnection(hub.NextConnectionId(), client, credentials, hub, _logger, _time);
        if (hub.TryRegister(connection) is { } refusal)
        {
            BrokerLog.ConnectionRefused(_logger, credentials.Pid, credentials.Uid, refusal);
            hub.CountRejection(BusErrorCode.TooManyConnections);
            Refuse(client, BusErrorCode.TooManyConnections, refusal);
            return;
        }

        lock (_running)
        {
            if (_stopping.IsCancellationRequested)
            {
                hub.Unregister(connection);
                client.Dispose();
                return;
            }

            _running[connection] = RunConnectionAsync(connection);
        }
    }

    private async Task RunConnectionAsync(BrokerConnection connection)
    {
        await Task.CompletedTask.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        try
        {
            await connection.RunAsync(ShutdownFlushBound).ConfigureAwait(false);
        }
        finally
        {
            lock (_running)
            {
                _running.Remove(connection);
            }
        }
    }

    private static void Refuse(Socket client, BusErrorCode code, string message)
    {
        try
        {
            using var buffer = new PooledBufferWriter(256);
            FrameWriter.WriteErr(buffer, code, message);
            client.Blocking = false;
            client.Send(buffer.WrittenSpan);
            client.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
        }
        finally
        {
            client.Dispose();
        }
    }

    private static async Task AwaitQuietly(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
