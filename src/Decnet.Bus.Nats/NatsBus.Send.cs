using NATS.Client.Core;

namespace Decnet.Bus.Nats;

public sealed partial class NatsBus
{
    // Already cancelled: a publish given this token is written only if the client can take it at once.
    private static readonly CancellationToken _tryOnly = new(canceled: true);

    // Environment.TickCount64 when the client first gave up waiting for room on this connection, 0 while the server
    // reads; cleared by the next write that goes through and by a new connection.
    private long _stalledSince;

    /// <summary>
    /// Hands an event to the client on an open connection; the task ends once it is written or counted as dropped, and
    /// never faults. A server that reads nothing makes it wait for room (see <see cref="AwaitSendAsync"/>) until the
    /// stall has lasted <see cref="DecnetBusOptions.StallTimeout"/>; from then on, until the server reads again or the
    /// connection is replaced, each publish is written only if there is room at once and is otherwise dropped at once,
    /// so a stalled server costs publishers one bounded wait, as a hung UNIX broker does.
    /// </summary>
    private ValueTask Send(string subject, byte[] body, NatsHeaders headers)
    {
        var token = StallOutlasted(Volatile.Read(ref _stalledSince)) ? _tryOnly : CancellationToken.None;
        ValueTask sending;
        try
        {
            sending = Write(subject, body, headers, token);
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

        return AwaitSendAsync(subject, body, headers, sending);
    }

    /// <summary>
    /// Waits for a publish the client could not write at once. The client gives up waiting for room after its command
    /// timeout (about a second) without having written the event: it waits for its lock and for the previous flush
    /// before it writes, so offering the event again cannot duplicate it (the stall tests check every sequence
    /// number). While the connection stays open that is a slow server, not a lost one, so the event is offered again
    /// (counted in <see cref="NatsBusStats.PublishWaits"/>) until the stall outlasts its bound. A publish that
    /// outlives its connection is dropped and counted.
    /// </summary>
    private async ValueTask AwaitSendAsync(string subject, byte[] body, NatsHeaders headers, ValueTask sending)
    {
        while (true)
        {
            try
            {
                await sending.ConfigureAwait(false);
                Unstalled();
                return;
            }
            catch (NatsTimeoutException) when (IsConnected && Volatile.Read(ref _disposed) == 0 && !StallOutlasted(StallStarted()))
            {
                Interlocked.Increment(ref _publishWaits);
            }
            catch (Exception ex) when (IsTransportFailure(ex))
            {
                _counters.AddDropped();
                return;
            }

            try
            {
                sending = Write(subject, body, headers, CancellationToken.None);
            }
            catch (Exception ex) when (IsTransportFailure(ex))
            {
                _counters.AddDropped();
                return;
            }
        }
    }

    private ValueTask Write(string subject, byte[] body, NatsHeaders headers, CancellationToken token)
        => _connection.PublishAsync(subject, body, headers, replyTo: null, NatsRawSerializer<byte[]>.Default, opts: null, token);

    /// <summary>When the current stall began (now, if this is its first timeout).</summary>
    private long StallStarted()
    {
        var now = Environment.TickCount64;
        var since = Interlocked.CompareExchange(ref _stalledSince, now, 0);
        return since == 0 ? now : since;
    }

    private bool StallOutlasted(long since)
        => since != 0 && _options.StallTimeout > TimeSpan.Zero && Environment.TickCount64 - since >= (long)_options.StallTimeout.TotalMilliseconds;

    private void Unstalled()
    {
        if (Volatile.Read(ref _stalledSince) != 0)
        {
            Volatile.Write(ref _stalledSince, 0);
        }
    }

    /// <summary>Anything the client throws but an argument error is the transport failing.</summary>
    private static bool IsTransportFailure(Exception ex) => ex is not ArgumentException;

    /// <summary>Anything the client throws except the caller's own cancellation is the transport failing.</summary>
    private static bool IsTransportFailure(Exception ex, CancellationToken cancellationToken)
        => IsTransportFailure(ex) && !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested);
}
