namespace Decnet.Bus.Fake.Internal;

/// <summary>
/// One pending <see cref="FakeBus.WaitForCountAsync"/>: collects matches from the recorded history and from live
/// publishes, keeping history first so the caller sees events in publish order.
/// </summary>
internal sealed class FakeBusWaiter(string pattern, Func<BusEvent, bool>? predicate, int count)
{
    private readonly Lock _gate = new();
    private readonly List<BusEvent> _history = [];
    private readonly List<BusEvent> _live = [];
    private readonly TaskCompletionSource<IReadOnlyList<BusEvent>> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _historyDone;

    public Task<IReadOnlyList<BusEvent>> Task => _completion.Task;

    /// <summary>How many matches were collected so far.</summary>
    public int Found
    {
        get
        {
            lock (_gate)
            {
                return _history.Count + _live.Count;
            }
        }
    }

    /// <summary>Offers events published before the wait started; call once.</summary>
    public void OfferHistory(IEnumerable<BusEvent> history)
    {
        foreach (var evt in history)
        {
            if (!TryMatch(evt, out var matched))
            {
                return;
            }

            if (matched)
            {
                lock (_gate)
                {
                    _history.Add(evt);
                }
            }
        }

        lock (_gate)
        {
            _historyDone = true;
            TryCompleteLocked();
        }
    }

    /// <summary>Offers an event published while the wait is pending.</summary>
    public void Offer(BusEvent evt)
    {
        if (_completion.Task.IsCompleted || !TryMatch(evt, out var matched) || !matched)
        {
            return;
        }

        lock (_gate)
        {
            _live.Add(evt);
            TryCompleteLocked();
        }
    }

    public void Fail(Exception exception) => _completion.TrySetException(exception);

    private bool TryMatch(BusEvent evt, out bool matched)
    {
        matched = false;
        if (!Topics.MatchesValidated(pattern, evt.Topic))
        {
            return true;
        }

        try
        {
            matched = predicate?.Invoke(evt) ?? true;
            return true;
        }
        catch (Exception ex)
        {
            // The predicate is the test's code: surface its failure to the awaiting test instead of the publisher.
            _completion.TrySetException(ex);
            return false;
        }
    }

    private void TryCompleteLocked()
    {
        if (_historyDone && _history.Count + _live.Count >= count)
        {
            _completion.TrySetResult([.. _history.Concat(_live).Take(count)]);
        }
    }
}
