using Decnet.Bus.Nats.Internal;

namespace Decnet.Bus.Nats;

public sealed partial class NatsBus
{
    // Publishes the client has taken into its write buffer on the current connection, and how many of them a PONG has
    // confirmed the server processed. At a dispose whose flush fails, the client discards its buffer with the socket:
    // the difference is what it took and could not flush, counted as dropped.
    private long _written;
    private long _confirmed;
    private long _unflushedAtClose;

    // Completed and replaced whenever the publish lane empties (a dispose waits for the publishes in it to end).
    private TaskCompletionSource _laneEmptied = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Publishes the client had taken and could not flush within <see cref="DisposeFlushBound"/> when this bus was
    /// disposed (counted in <see cref="BusCounters.Dropped"/> too); known once <see cref="DisposeAsync"/> has returned.
    /// </summary>
    internal long UnflushedAtClose => Interlocked.Read(ref _unflushedAtClose);

    /// <summary>The client took a publish into its write buffer.</summary>
    private void Written() => Interlocked.Increment(ref _written);

    /// <summary>
    /// A PING/PONG round trip that, once answered, records every publish taken before it as processed by the server:
    /// the client writes a publish before releasing its write lock, so one counted here was written before the PING.
    /// </summary>
    private async Task PingConfirmingAsync(CancellationToken cancellationToken)
    {
        var written = Interlocked.Read(ref _written);
        await _connection.PingAsync(cancellationToken).ConfigureAwait(false);
        Confirm(written);
    }

    /// <summary>
    /// The connection is gone: what it carried unconfirmed is lost with it (docs/cross-host.md), not counted here.
    /// </summary>
    private void ForgetUnconfirmed() => Confirm(Interlocked.Read(ref _written));

    private void Confirm(long written)
    {
        var confirmed = Interlocked.Read(ref _confirmed);
        while (written > confirmed)
        {
            var seen = Interlocked.CompareExchange(ref _confirmed, written, confirmed);
            if (seen == confirmed)
            {
                return;
            }

            confirmed = seen;
        }
    }

    private void LaneEmptied()
        => Interlocked.Exchange(ref _laneEmptied, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>
    /// After a dispose whose flush failed, with the connection closed: lets the publishes still in the lane end (each
    /// is dropped and counted, bounded), then counts as dropped every publish the client took that no PONG confirmed.
    /// </summary>
    private async Task CountUnflushedAsync()
    {
        var emptied = Volatile.Read(ref _laneEmptied).Task;
        if (Interlocked.Read(ref _laneBytes) != 0)
        {
            await emptied.WaitAsync(DisposeFlushBound).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        var unflushed = Interlocked.Read(ref _written) - Interlocked.Read(ref _confirmed);
        if (unflushed > 0)
        {
            Interlocked.Exchange(ref _unflushedAtClose, unflushed);
            _counters.AddDropped(unflushed);
            Log.Unflushed(_logger, unflushed, DisposeFlushBound.TotalSeconds);
        }
    }
}
