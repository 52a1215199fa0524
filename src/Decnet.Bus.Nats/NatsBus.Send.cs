using Decnet.Bus.Nats.Internal;
using NATS.Client.Core;

namespace Decnet.Bus.Nats;

public sealed partial class NatsBus
{
    // Already cancelled: a publish given this token is written only if the client can take it at once.
    private static readonly CancellationToken _tryOnly = new(canceled: true);

    // The stall probe's PING: at most this long for room and its PONG; after a failure it pauses before the next, so a
    // PING that fails at once cannot spin.
    private static readonly TimeSpan _probeBound = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan _probePause = TimeSpan.FromMilliseconds(100);

    // Publishes that could not be written at once queue here, first come first written: a retry must not let a later
    // publish of the same caller overtake it in the client's own queue. Their bodies count against MaxQueueBytes.
    private readonly SemaphoreSlim _lane = new(1, 1);
    // Bytes of the bodies queued (or held by the client for the lane); nonzero exactly while anyone is queued, since no
    // body is empty, so it also sends every later publish to the back of the lane.
    private long _laneBytes;
    private int _probing;

    // Completed and replaced whenever a publish waits again or a stall starts or stops dropping (tests await it).
    private TaskCompletionSource _stallChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Hands an event to the client on an open connection; the task ends once it is written or counted as dropped, and
    /// never faults. While nothing waits, a publish adds three reads of shared state to the client's own work; one the
    /// client cannot take, and every publish after it until the queue is empty, goes through <see cref="LaneAsync"/>.
    /// </summary>
    private ValueTask Send(string subject, byte[] body, NatsHeaders headers)
    {
        if (Interlocked.Read(ref _laneBytes) != 0)
        {
            return LaneAsync(subject, body, headers, first: null);
        }

        if (!TryWrite(subject, body, headers, _stall.Outlasted, out var sending))
        {
            return ValueTask.CompletedTask;
        }

        if (sending.IsCompletedSuccessfully)
        {
            Written();
            Unstalled();
            return ValueTask.CompletedTask;
        }

        return LaneAsync(subject, body, headers, sending);
    }

    /// <summary>
    /// Queues a publish behind those already waiting, or drops and counts it at once when the queued bodies would pass
    /// <see cref="DecnetBusOptions.MaxQueueBytes"/> (the newest goes: those queued are promised their turn). One the
    /// client already holds (<paramref name="first"/>) is always queued. A publish made while the first connection is
    /// under way waits for it until <paramref name="firstConnectDeadline"/> (<see cref="Environment.TickCount64"/>).
    /// </summary>
    private ValueTask LaneAsync(string subject, byte[] body, NatsHeaders headers, ValueTask? first, long firstConnectDeadline = 0)
    {
        if (Interlocked.Add(ref _laneBytes, body.Length) > _maxLaneBytes && first is null)
        {
            Interlocked.Add(ref _laneBytes, -body.Length);
            return Drop();
        }

        return QueuedAsync(subject, body, headers, first, firstConnectDeadline);
    }

    private async ValueTask QueuedAsync(string subject, byte[] body, NatsHeaders headers, ValueTask? first, long firstConnectDeadline)
    {
        await _lane.WaitAsync().ConfigureAwait(false);
        try
        {
            var remaining = firstConnectDeadline - Environment.TickCount64;
            if (firstConnectDeadline != 0 && remaining > 0)
            {
                await _firstAttempt.Task.WaitAsync(TimeSpan.FromMilliseconds(remaining)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            await SendInLaneAsync(subject, body, headers, first).ConfigureAwait(false);
        }
        finally
        {
            _lane.Release();
            if (Interlocked.Add(ref _laneBytes, -body.Length) == 0)
            {
                LaneEmptied();
            }
        }
    }

    /// <summary>
    /// Waits for a publish the client could not write at once. The client gives up waiting for room after its command
    /// timeout (about a second) without having written the event, so offering it again cannot duplicate it. In
    /// NATS.Client.Core 3.3.2, CommandWriter.PublishStateMachineAsync throws NatsTimeoutException only from its two
    /// waits, for its lock (_semLock.WaitAsync) and for the previous command's flush (_flushTask.WaitAsync), both
    /// bounded by the command timeout and both before WritePublish copies the event into its pipe; after the copy,
    /// EnqueueCommand starts the flush without awaiting it, so nothing there can time out (the stall tests, which
    /// time publishes out against a suspended server, check every sequence number). A cancellation throws from the
    /// same waits, and any exception other than the timeout drops and counts the event rather than offering it
    /// again. While the connection stays open that is a slow server, not a lost one, so the event is offered again
    /// (counted in <see cref="NatsBusStats.PublishWaits"/>) until the stall outlasts its bound; from then on, until a
    /// write goes through, publishes are written only if there is room at once and are otherwise dropped and counted,
    /// and a probe PINGs the server to learn when it reads again. A publish that outlives its connection is dropped
    /// and counted.
    /// </summary>
    private async Task SendInLaneAsync(string subject, byte[] body, NatsHeaders headers, ValueTask? first)
    {
        var sending = first ?? default;
        if (first is null)
        {
            // Its turn may come after the connection went: the client would hold it for a reconnect, one at a time.
            if (!IsConnected)
            {
                _counters.AddDropped();
                return;
            }

            if (!TryWrite(subject, body, headers, _stall.Outlasted, out sending))
            {
                return;
            }
        }

        while (true)
        {
            try
            {
                await sending.ConfigureAwait(false);
                Written();
                Unstalled();
                return;
            }
            catch (NatsTimeoutException) when (IsConnected && Volatile.Read(ref _disposed) == 0)
            {
                if (_stall.OnTimeout(out var began))
                {
                    if (began)
                    {
                        Log.StallBegan(_logger, _options.StallTimeout.TotalSeconds);
                        StallChanged();
                    }

                    StartProbe();
                    _counters.AddDropped();
                    return;
                }

                Interlocked.Increment(ref _publishWaits);
                StallChanged();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _counters.AddDropped();
                return;
            }

            if (!TryWrite(subject, body, headers, tryOnly: false, out sending))
            {
                return;
            }
        }
    }

    /// <summary>Starts a write; false (the event counted as dropped) when the client refuses it at once.</summary>
    private bool TryWrite(string subject, byte[] body, NatsHeaders headers, bool tryOnly, out ValueTask sending)
    {
        try
        {
            sending = Write(subject, body, headers, tryOnly ? _tryOnly : CancellationToken.None);
            return true;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _counters.AddDropped();
            sending = default;
            return false;
        }
    }

    private ValueTask Write(string subject, byte[] body, NatsHeaders headers, CancellationToken token)
        => _connection.PublishAsync(subject, body, headers, replyTo: null, NatsRawSerializer<byte[]>.Default, opts: null, token);

    private void Unstalled()
    {
        if (_stall.Active && _stall.Clear())
        {
            Log.StallEnded(_logger);
            StallChanged();
        }
    }

    /// <summary>
    /// Completes at the next change of <see cref="NatsBusStats.PublishWaits"/> or <see cref="StallOutlasted"/>; take it
    /// before looking at them, so a change in between is not missed (for tests).
    /// </summary>
    internal Task NextStallChange => Volatile.Read(ref _stallChanged).Task;

    private void StallChanged()
        => Interlocked.Exchange(ref _stallChanged, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>One PING loop at a time while a stall that outlasted its bound is under way on an open connection.</summary>
    private void StartProbe()
    {
        if (Interlocked.Exchange(ref _probing, 1) == 0)
        {
            _ = Task.Run(ProbeAsync);
        }
    }

    private async Task ProbeAsync()
    {
        try
        {
            while (_stall.Outlasted && IsConnected && Volatile.Read(ref _disposed) == 0)
            {
                try
                {
                    // A PING waits for room like a publish (about a second), then for its PONG.
                    using var bound = new CancellationTokenSource(_probeBound);
                    await PingConfirmingAsync(bound.Token).ConfigureAwait(false);
                    Unstalled();
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    await Task.Delay(_probePause).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _probing, 0);
        }

        // A stall that began again just as this loop ended still gets its probe.
        if (_stall.Outlasted && IsConnected && Volatile.Read(ref _disposed) == 0)
        {
            StartProbe();
        }
    }
}
