namespace Decnet.Bus.Unix.Client.Internal;

/// <summary>
/// The client's PINGs in the order they went onto the wire, so each PONG (which the broker sends in request order)
/// completes the right <see cref="ClientOutbox.FlushAsync"/> waiter; a keepalive PING holds a null place. Flush PINGs
/// whose chunk was dropped are orphans, sent again behind the next publish. Used under the outbox lock.
/// </summary>
internal sealed class PingLedger
{
    private readonly Queue<TaskCompletionSource?> _sent = new();
    private List<TaskCompletionSource>? _orphans;

    public bool HasOrphans => _orphans is { Count: > 0 };

    /// <summary>A keepalive PING went into the batch.</summary>
    public void SentKeepalive() => _sent.Enqueue(null);

    /// <summary>A chunk went into the batch: its flush PINGs are on their way, in order.</summary>
    public void Sent(OutboxChunk chunk)
    {
        if (chunk.Flushes is { } flushes)
        {
            foreach (var flush in flushes)
            {
                _sent.Enqueue(flush);
            }
        }
    }

    /// <summary>A chunk was dropped: its flush PINGs must go again (they still wait for a barrier).</summary>
    public void Dropped(OutboxChunk chunk)
    {
        if (chunk.Flushes is { } flushes)
        {
            (_orphans ??= []).AddRange(flushes);
        }
    }

    /// <summary>Hands the orphans over to be re-sent in one PING.</summary>
    public List<TaskCompletionSource> TakeOrphans()
    {
        var orphans = _orphans ?? [];
        _orphans = null;
        return orphans;
    }

    /// <summary>A PONG arrived: completes the oldest PING's waiter, if it was a flush.</summary>
    public void Answered()
    {
        if (_sent.TryDequeue(out var flush))
        {
            flush?.TrySetResult();
        }
    }

    /// <summary>The connection ended: every waiter fails (continuations run asynchronously, never under the lock).</summary>
    public void Fail(Exception reason)
    {
        while (_sent.TryDequeue(out var flush))
        {
            flush?.TrySetException(reason);
        }

        foreach (var orphan in TakeOrphans())
        {
            orphan.TrySetException(reason);
        }
    }
}
