using System.Diagnostics;
using System.Net.Sockets;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Sending;

/// <summary>
/// The send loop, one body for both places it runs: on the thread pool (<see cref="RunAsync"/>, a broker connection's),
/// or on a thread of its own that it blocks (<see cref="Run"/>, a client's), where every step completes before it
/// returns, so the same body runs synchronously.
/// </summary>
internal sealed partial class SocketWriter
{
    /// <summary>
    /// The send loop on the pool. Ends when the final frame is sent (after half-closing the socket), when
    /// <paramref name="cancellationToken"/> is cancelled or the socket breaks, or when a slice waits longer than the stall
    /// timeout; never throws for those.
    /// </summary>
    public async Task<SendEnd> RunAsync(CancellationToken cancellationToken)
    {
        if (_bell is not null)
        {
            throw new InvalidOperationException("This writer's loop runs on a thread of its own (Run).");
        }

        // The caller starts its receive loop next, on this thread; everything here runs on the pool (not on a
        // synchronization context the caller may have, as Task.Yield would).
        await Task.CompletedTask.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        return await LoopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The send loop on the calling thread, which it blocks (only for a writer made with <c>ownThread</c>, which has no
    /// stall timeout). Ends when the final frame is sent, or when the token is cancelled or the socket breaks; never
    /// throws for those. An abort must shut the socket down (<see cref="SocketShutdown.Both"/>) as well as cancel, since
    /// a send waiting for room wakes only for that.
    /// </summary>
    public SendEnd Run(CancellationToken cancellationToken)
    {
        if (_bell is null)
        {
            throw new InvalidOperationException("This writer's loop runs on the thread pool (RunAsync).");
        }

        // Every step blocks instead of awaiting, so the loop has ended by the time LoopAsync returns.
        var loop = LoopAsync(cancellationToken);
        Debug.Assert(loop.IsCompleted, "an own-thread loop never suspends");
        return loop.GetAwaiter().GetResult();
    }

    private async ValueTask<SendEnd> LoopAsync(CancellationToken cancellationToken)
    {
        // The loop parks without the token (on the pool the channel's pooled waiter, so parking allocates nothing; on its
        // own thread the bell), so a cancellation rings it.
        using var registration = cancellationToken.UnsafeRegister(static state => ((SocketWriter)state!).Ring(), this);
        using var batch = new PooledBufferWriter(64 * 1024);
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!TakeOrPark(batch, out var final))
                {
                    // Parked until a producer rings (or the token is cancelled, which rings too).
                    if (_releaseWhenParked)
                    {
                        batch.Release();
                    }

                    await ParkAsync().ConfigureAwait(false);
                    _doorbell?.Reader.TryRead(out _);

                    continue;
                }

                _source.FinishTake(batch, final);
                if (batch.WrittenCount > 0)
                {
                    if (_bell is null)
                    {
                        await SendAllAsync(batch.WrittenMemory, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        SendAll(batch.WrittenSpan, cancellationToken);
                    }

                    AfterSend(batch, final);
                }

                if (final)
                {
                    _socket.Shutdown(SocketShutdown.Send);
                    return SendEnd.Final;
                }
            }
        }
        catch (TimeoutException)
        {
            batch.Abandon(); // a send from it may still be pending (EndStalledSend)
            return SendEnd.Stalled;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
        {
            return SendEnd.Aborted;
        }
    }

    /// <summary>Waits for a ring: awaits the doorbell on the pool, or blocks on the bell of a loop on its own thread.</summary>
    private ValueTask<bool> ParkAsync()
    {
        if (_doorbell is { } doorbell)
        {
            return doorbell.Reader.WaitToReadAsync(CancellationToken.None);
        }

        // Reset before the next look at the state: a ring after it is kept for the next wait.
        _bell!.Wait(CancellationToken.None);
        _bell.Reset();
        return new ValueTask<bool>(true);
    }
}
