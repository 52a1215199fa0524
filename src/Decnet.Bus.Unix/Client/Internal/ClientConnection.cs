using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Decnet.Bus.Internal;
using Decnet.Bus.Unix.Native;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Sending;
using Microsoft.Extensions.Logging;

namespace Decnet.Bus.Unix.Client.Internal;

/// <summary>
/// One handshaken connection to the broker: a receive loop routing EVT by sid and completing acks, on a thread of its
/// own, and one send loop draining the client's outbox into batched writes, on another. Ends on error, BYE, or <see cref="Abort"/>.
/// </summary>
internal sealed partial class ClientConnection : IAsyncDisposable
{
    internal const int MaxBatchBytes = 256 * 1024;

    /// <summary>Silent keepalive ticks after a PING before the connection counts as dead (the PONG bound).</summary>
    internal const int PongTicks = 2;

    private readonly Socket _socket;
    private readonly PipeReader _reader;
    private readonly ClientOutbox _outbox;
    private readonly SocketWriter _writer;
    private readonly EventDispatcher _events;
    private readonly Func<uint, ClientSubscription?> _findSubscription;
    private readonly Action<ErrorMessage> _onRejected;
    private readonly BusCounterSet _counters;
    private readonly ILogger _logger;

    // The path for log lines: it may come from a file another process wrote, so it is escaped once here.
    private readonly string _shownPath;

    // Never disposed (it has no timer, and its registrations are disposed by their users), as a broker connection's is
    // not: the bus's dispose may abort a connection its run loop has just disposed, and a later abort or dispose must be
    // a no-op, not an ObjectDisposedException.
    private readonly CancellationTokenSource _abort = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<uint, TaskCompletionSource<bool>> _acks = [];
    private readonly Queue<TaskCompletionSource<BrokerStats>> _stats = new();
    private readonly TimeSpan _keepalive;
    private readonly TimeSpan _catchUpWait;
    private readonly TimeProvider _time;
    private Task _completion = Task.CompletedTask;
    private bool _ended;
    private long _reads;
    private string? _deadReason;
    private bool _publishRejectionLogged;
    private bool _strayRejectionLogged;
    private bool _malformedEventLogged;

    /// <summary>The socket's kernel send buffer (SO_SNDBUF as Linux reports it), for tests.</summary>
    public int KernelSendBuffer => _socket.SendBufferSize;

    /// <summary>The socket's descriptor (for tests).</summary>
    public int SocketDescriptor => (int)_socket.SafeHandle.DangerousGetHandle();

    private ClientConnection(Socket socket, PipeReader reader, WelcomeMessage welcome, ClientOutbox outbox, Func<uint, ClientSubscription?> findSubscription, Action<ErrorMessage> onRejected, BusCounterSet counters, ILogger logger, string path, TimeSpan keepalive, TimeSpan catchUpWait, TimeProvider time)
    {
        _catchUpWait = CatchUpWait.Clamp(catchUpWait);
        _onRejected = onRejected;
        _counters = counters;
        _keepalive = ClampKeepalive(keepalive);
        _time = time;
        _socket = socket;
        _reader = reader;
        Welcome = welcome;
        _outbox = outbox;
        _findSubscription = findSubscription;
        _events = new EventDispatcher(findSubscription, OnMalformedEvent, waitsForCatchUp: _catchUpWait > TimeSpan.Zero);

        // No stall bound: a broker that stops reading is found by the keepalive, and the outbox bounds what waits.
        _writer = new SocketWriter(socket, outbox, Timeout.InfiniteTimeSpan, time, releaseWhenParked: false, yieldAfterSend: true, ownThread: true);
        _logger = logger;
        _shownPath = UntrustedText.Escape(path);
    }

    public WelcomeMessage Welcome { get; }

    /// <summary>The writer of this connection's socket, which the outbox wakes (<see cref="ClientOutbox.Attach"/>).</summary>
    public SocketWriter Writer => _writer;

    /// <summary>Completes when both loops have ended; never faults.</summary>
    public Task Completion => _completion;

    /// <summary>Starts the loops.</summary>
    public void Start() => _completion = RunAsync();

    /// <summary>Ends the connection now; does nothing once it has ended (the bus's dispose may abort one its run loop just disposed).</summary>
    public void Abort() => _abort.Cancel();

    public async ValueTask DisposeAsync()
    {
        await _abort.CancelAsync().ConfigureAwait(false);
        await _completion.ConfigureAwait(false);
    }

    /// <summary>
    /// The keepalive as options give it: zero or less disables it; any other within the validator's range (options
    /// built in code skip validation, and a <see cref="PeriodicTimer"/> throws for a period under 1 ms).
    /// </summary>
    internal static TimeSpan ClampKeepalive(TimeSpan keepalive)
        => keepalive <= TimeSpan.Zero
            ? TimeSpan.Zero
            : TimeSpan.FromTicks(Math.Clamp(keepalive.Ticks, DecnetBusOptionsValidator.MinHeartbeat.Ticks, TimeSpan.FromSeconds(DecnetBusOptionsValidator.MaxHeartbeatSeconds).Ticks));

    /// <remarks>
    /// The clean-up runs in finally blocks, so nothing that escapes the loops can leave the socket open or the acks
    /// and STATS requests waiting for good.
    /// </remarks>
    private async Task RunAsync()
    {
        // On the pool, never on the caller's synchronization context (Task.Yield posts to it): a busy one would hold
        // back the loops, the SUB and the connection's end.
        await Task.CompletedTask.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        var reason = "closed";
        try
        {
            reason = await RunLoopsAsync().ConfigureAwait(false);
        }
        finally
        {
            try
            {
                await _reader.CompleteAsync().ConfigureAwait(false);
            }
            finally
            {
                try
                {
                    _writer.Dispose();
                }
                finally
                {
                    _socket.Dispose();
                    End(reason);
                }
            }
        }
    }

    /// <summary>Runs the receive, send and keepalive loops until all have ended; returns why the connection ended.</summary>
    private async Task<string> RunLoopsAsync()
    {
        // Both loops sleep in the kernel on their own threads, and only a shutdown wakes a thread asleep there: the abort
        // shuts the socket down both ways. Registered before either thread starts, so an abort at any point wakes them.
        using var wake = _abort.Token.UnsafeRegister(static state => ShutDownBoth((Socket)state!), _socket);
        var send = SendLoopAsync();
        var keepalive = _keepalive > TimeSpan.Zero ? KeepaliveLoopAsync() : Task.CompletedTask;
        string reason;
        try
        {
            reason = await ReceiveOnOwnThreadAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
            reason = Volatile.Read(ref _deadReason) ?? "closed";
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or ProtocolException or InvalidOperationException)
        {
            reason = ex.Message;
        }
#pragma warning disable CA1031 // The connection ends on anything; the owner reconnects. Unexpected failures are logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            // The reason line names the exception only; its stack, which finds the bug, goes with this line.
            ClientLog.UnexpectedLoopFailure(_logger, _shownPath, "receive", ex);
            reason = $"unexpected {ex.GetType().Name}: {ex.Message}";
        }
        finally
        {
            await _abort.CancelAsync().ConfigureAwait(false);

            // Neither loop throws (each records what ended it in _deadReason); suppressed all the same, so a failure
            // of one can neither skip the wait for the other nor the clean-up.
            await send.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await keepalive.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        return reason;
    }

    /// <summary>Marks the connection ended, fails what still waits on it, and logs why it ended.</summary>
    private void End(string reason)
    {
        List<TaskCompletionSource<bool>> acks;
        List<TaskCompletionSource<BrokerStats>> stats;
        lock (_gate)
        {
            _ended = true;
            acks = [.. _acks.Values];
            stats = [.. _stats];
            _acks.Clear();
            _stats.Clear();
        }

        foreach (var ack in acks)
        {
            ack.TrySetResult(false);
        }

        foreach (var reply in stats)
        {
            reply.TrySetException(new IOException($"the connection to the broker ended: {reason}"));
        }

        if (!_outbox.IsClosing)
        {
            ClientLog.Disconnected(_logger, _shownPath, reason);
        }
    }

    /// <summary>
    /// An EVT the dispatcher dropped as malformed (an id that is no event id, a payload that is no map, …): a lost
    /// event, counted as dropped, as NATS counts such a message in <c>NatsBusStats.Rejected</c>. The first of each
    /// connection is a warning, later ones debug: a publisher that skips the checks would otherwise write a line per
    /// event.
    /// </summary>
    private void OnMalformedEvent(string reason)
    {
        _counters.AddDropped();
        if (!_malformedEventLogged)
        {
            _malformedEventLogged = true;
            ClientLog.MalformedEvent(_logger, _shownPath, reason);
        }
        else
        {
            ClientLog.BadFrame(_logger, reason);
        }
    }

    /// <summary>Handles one frame; returns a reason when the connection must end.</summary>
    private string? Handle(in Frame frame)
    {
        switch (frame.Kind)
        {
            case FrameKind.Evt:
                _events.Deliver(frame.Body);
                return null;
            case FrameKind.SubAck:
                Acknowledge(frame.Sid);
                return null;
            case FrameKind.Lost:
                _events.ReportLost(frame.Body);
                return null;
            case FrameKind.Ping:
                _outbox.EnqueuePong();
                return null;
            case FrameKind.Pong:
                _outbox.OnPong();
                return null;
            case FrameKind.StatsReply:
                var stats = FrameDecoder.ReadStatsReply(frame.Body);
                TaskCompletionSource<BrokerStats>? reply;
                lock (_gate)
                {
                    _stats.TryDequeue(out reply);
                }

                reply?.TrySetResult(stats);
                return null;
            case FrameKind.Err:
                var error = FrameDecoder.ReadErr(frame.Body);
                if (!error.Closes)
                {
                    Rejected(error);
                    return null;
                }

                var text = ClientLog.BrokerText(error.Message);
                ClientLog.BrokerError(_logger, _shownPath, error.Code.ToString(), text);
                return $"broker error {error.Code}: {text}";
            case FrameKind.Bye:
                return "the broker said BYE";
            default:
                throw new ProtocolException(BusErrorCode.BadFrame, $"unexpected {frame.Kind} from the broker");
        }
    }
}
