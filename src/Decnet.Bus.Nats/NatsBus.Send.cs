using Decnet.Bus.Nats.Internal;
using NATS.Client.Core;

namespace Decnet.Bus.Nats;

public sealed partial class NatsBus
{
    // Already cancelled: a publish given this token is written only if the client can take it at once.
    private static readonly CancellationToken _tryOnly = new(canceled: true);

    // How long the stall probe pauses after a PING that failed at once (not by waiting), so it cannot spin.
    private static readonly TimeSpan _probePause = TimeSpan.FromMilliseconds(100);

    // Publishes that could not be written at once queue here, first come first written: a retry must not let a later
    // publish of the same caller overtake it in the client's own queue.
    private readonly SemaphoreSlim _lane = new(1, 1);
    private int _laneUsers;
    private int _probing;

    /// <summary>
    /// Hands an event to the client on an open connection; the task ends once it is written or counted as dropped, and
    /// never faults. While nothing waits, a publish the client takes at once costs no more than the client's own; one
    /// it cannot take, and every publish after it until the queue is empty, goes through <see cref="LaneAsync"/>.
    /// </summary>
    private ValueTask Send(string subject, byte[] body, NatsHeaders headers)
    {
        if (Volatile.Read(ref _laneUsers) != 0)
        {
            return LaneAsync(subject, body, headers, first: null);
        }

        var tryOnly = _stall.Outlasted;
        ValueTask sending;
        try
        {
            sending = Write(subject, body, headers, tryOnly ? _tryOnly : CancellationToken.None);
        }
        catch (Exception ex) when (IsTransportFailure(ex))
        {
            return Drop();
        }

        if (sending.IsCompletedSuccessfully)
        {
            Unstalled();
            return ValueTask.CompletedTask;
        }

        return LaneAsync(subject, body, headers, sending);
    }

    /// <summary>
    /// Queues a publish behind those already waiting. With <paramref name="firstConnection"/> it is one made while the
    /// first connection is under way: it waits for that (bounded, like the UNIX client's queue) once it is its turn.
    /// </summary>
    private async ValueTask LaneAsync(string subject, byte[] body, NatsHeaders headers, ValueTask? first, bool firstConnection = false)
    {
        Interlocked.Increment(ref _laneUsers);
        try
        {
            await _lane.WaitAsync().ConfigureAwait(false);
            try
            {
                if (firstConnection)
                {
                    await _firstAttempt.Task.WaitAsync(FirstConnectWaitBound).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    if (!IsConnected)
                    {
                        _counters.AddDropped();
                        return;
                    }
                }

                await SendInLaneAsync(subject, body, headers, first).ConfigureAwait(false);
            }
            finally
            {
                _lane.Release();
            }
        }
        finally
        {
            Interlocked.Decrement(ref _laneUsers);
        }
    }

    /// <summary>
    /// Waits for a publish the client could not write at once. The client gives up waiting for room after its command
    /// timeout (about a second) without having written the event: it waits for its lock and for the previous flush
    /// before it writes, so offering the event again cannot duplicate it (the stall tests check every sequence
    /// number). While the connection stays open that is a slow server, not a lost one, so the event is offered again
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
                    }

                    StartProbe();
                    _counters.AddDropped();
                    return;
                }

                Interlocked.Increment(ref _publishWaits);
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
        }
    }

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
            while (_stall.Active && IsConnected && Volatile.Read(ref _disposed) == 0)
            {
                try
                {
                    // A PING waits for room like a publish (about a second), then for its PONG.
                    using var bound = new CancellationTokenSource(SubscribeWaitBound);
                    await _connection.PingAsync(bound.Token).ConfigureAwait(false);
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

    /// <summary>Anything the client throws but an argument error is the transport failing.</summary>
    private static bool IsTransportFailure(Exception ex) => ex is not ArgumentException;

    /// <summary>Anything the client throws except the caller's own cancellation is the transport failing.</summary>
    private static bool IsTransportFailure(Exception ex, CancellationToken cancellationToken)
        => IsTransportFailure(ex) && !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested);
}
