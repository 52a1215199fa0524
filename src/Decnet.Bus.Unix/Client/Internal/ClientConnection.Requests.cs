using Decnet.Bus.Unix.Protocol;
using Microsoft.Extensions.Logging;

namespace Decnet.Bus.Unix.Client.Internal;

/// <summary>
/// Requests that wait for the broker's answer: SUB (acknowledged by SUBACK or refused by ERR), UNSUB, and STATS
/// (replies come in request order), and what a reply or a refusal completes.
/// </summary>
internal sealed partial class ClientConnection
{
    /// <summary>Sends SUB for <paramref name="subscription"/> unless already sent on this connection; completes on SUBACK (false if the connection ends first).</summary>
    /// <remarks>
    /// SUB and UNSUB are queued under the lock that adds and removes the ack, so they reach the broker in the order the
    /// acks changed: an UNSUB that took the ack away always follows its SUB. Queued outside it, an unsubscribe could
    /// take the ack and send UNSUB before this sent SUB; the broker ignored the UNSUB, then routed the SUB for the
    /// rest of the connection, and the check below, finding no ack, sent nothing.
    /// </remarks>
    public Task<bool> SubscribeAsync(ClientSubscription subscription)
    {
        var sub = Encode(b => FrameWriter.WriteSub(b, subscription.Sid, subscription.Pattern));
        TaskCompletionSource<bool> ack;
        lock (_gate)
        {
            if (_ended)
            {
                return Task.FromResult(false);
            }

            if (_acks.TryGetValue(subscription.Sid, out var existing))
            {
                return existing.Task;
            }

            ack = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            _acks[subscription.Sid] = ack;
            _outbox.EnqueueControl(sub);
        }

        if (_findSubscription(subscription.Sid) is null)
        {
            // Disposed before its SUB was queued, so its unsubscribe found no ack to take: take it back here.
            Unsubscribe(subscription.Sid);
        }

        return ack.Task;
    }

    public void Unsubscribe(uint sid)
    {
        var unsub = Encode(b => FrameWriter.WriteUnsub(b, sid));
        lock (_gate)
        {
            if (_ended || !_acks.Remove(sid, out var ack))
            {
                return;
            }

            ack.TrySetResult(false);

            // Under the lock, as SUB is (see SubscribeAsync).
            _outbox.EnqueueControl(unsub);
        }
    }

    /// <summary>Asks the broker for STATS; faults with <see cref="IOException"/> if the connection ends first.</summary>
    public Task<BrokerStats> RequestStatsAsync()
    {
        var reply = new TaskCompletionSource<BrokerStats>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_ended)
            {
                return Task.FromException<BrokerStats>(new IOException("the connection to the broker ended"));
            }

            // Enqueue under the lock so replies (which arrive in request order) match the queue order. STATS goes in the
            // PUB lane, behind every publish already queued, so its reply proves the broker has routed them all (a
            // barrier).
            _stats.Enqueue(reply);
            _outbox.EnqueueOrdered(Encode(static b => FrameWriter.WriteSimple(b, FrameKind.Stats)));
        }

        return reply.Task;
    }

    /// <summary>
    /// The broker refused one request and kept the connection: the owner forgets a refused subscription (its waiting
    /// subscriber then throws) or counts a refused publish. A refused SUB of this connection is logged each time (it is
    /// rare and the caller must fix it); refused PUBs once per connection, since a publisher may repeat one thousands of
    /// times, and so are refusals naming a sid this connection has no SUB for, which only the broker can multiply.
    /// </summary>
    private void Rejected(ErrorMessage error)
    {
        if (error.Request != FrameKind.Sub)
        {
            if (!_publishRejectionLogged)
            {
                _publishRejectionLogged = true;
                ClientLog.PublishRejected(_logger, _shownPath, error.Code.ToString(), ClientLog.BrokerText(error.Message));
            }

            _onRejected(error);
            return;
        }

        TaskCompletionSource<bool>? ack;
        lock (_gate)
        {
            _acks.Remove(error.Sid, out ack);
        }

        if (ack is null)
        {
            // Never sent on this connection, or unsubscribed since: nothing to end.
            if (!_strayRejectionLogged)
            {
                _strayRejectionLogged = true;
                ClientLog.StrayRejection(_logger, _shownPath, error.Sid, error.Code.ToString(), ClientLog.BrokerText(error.Message));
            }

            return;
        }

        ClientLog.SubscriptionRejected(_logger, _shownPath, error.Sid, error.Code.ToString(), ClientLog.BrokerText(error.Message));

        // The owner records the rejection before the waiting subscriber wakes to find it.
        _onRejected(error);
        ack.TrySetResult(false);
    }

    private void Acknowledge(uint sid)
    {
        TaskCompletionSource<bool>? ack;
        lock (_gate)
        {
            _acks.TryGetValue(sid, out ack);
        }

        if (ack is not null && !ack.Task.IsCompleted)
        {
            _findSubscription(sid)?.Acknowledged();
            ack.TrySetResult(true);
        }
    }

    private static byte[] Encode(Action<PooledBufferWriter> write)
    {
        using var buffer = new PooledBufferWriter(64);
        write(buffer);
        return buffer.WrittenSpan.ToArray();
    }
}
