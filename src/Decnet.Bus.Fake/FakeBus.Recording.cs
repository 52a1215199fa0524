using Decnet.Bus.Fake.Internal;

namespace Decnet.Bus.Fake;

public sealed partial class FakeBus
{
    private readonly Lock _recordGate = new();
    private readonly Queue<BusEvent> _published = new();
    private readonly List<FakeBusWaiter> _waiters = [];
    private long _droppedFromRecord;
    private long _recordedBytes;

    /// <summary>
    /// A snapshot of the events published through this instance since creation or <see cref="Clear"/>, oldest first:
    /// the newest of them within <see cref="FakeBusOptions.MaxRecordedEvents"/> and
    /// <see cref="FakeBusOptions.MaxRecordedBytes"/> (see <see cref="DroppedFromRecord"/>).
    /// </summary>
    /// <remarks>Only this instance's publishes, not those of other clients on the network.</remarks>
    public IReadOnlyList<BusEvent> Published
    {
        get
        {
            lock (_recordGate)
            {
                return _published.ToArray();
            }
        }
    }

    /// <summary>
    /// How many recorded publishes were forgotten, oldest first, because the record held
    /// <see cref="FakeBusOptions.MaxRecordedEvents"/> events or <see cref="FakeBusOptions.MaxRecordedBytes"/> payload
    /// bytes (since creation; <see cref="Clear"/> does not reset it).
    /// </summary>
    public long DroppedFromRecord => Interlocked.Read(ref _droppedFromRecord);

    /// <summary>Forgets the recorded publishes. Pending waits keep waiting for new ones.</summary>
    public void Clear()
    {
        lock (_recordGate)
        {
            _published.Clear();
            _recordedBytes = 0;
        }
    }

    /// <summary>
    /// Returns the first event published through this instance that matches <paramref name="pattern"/> (and
    /// <paramref name="predicate"/>), looking first at what was already published, then waiting for new publishes.
    /// </summary>
    /// <param name="pattern">A subscription pattern, wildcards allowed.</param>
    /// <param name="predicate">An extra filter; null accepts every event matching the pattern.</param>
    /// <param name="timeout">Real-time bound; null uses <see cref="FakeBusOptions.DefaultWaitTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="ArgumentException"><paramref name="pattern"/> is invalid.</exception>
    /// <exception cref="FakeBusWaitTimeoutException">Nothing matched in time; the message lists what was published.</exception>
    /// <exception cref="ObjectDisposedException">The bus was disposed before a match was published.</exception>
    public async Task<BusEvent> WaitForAsync(string pattern, Func<BusEvent, bool>? predicate = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var events = await WaitForCountAsync(pattern, 1, predicate, timeout, cancellationToken).ConfigureAwait(false);
        return events[0];
    }

    /// <summary>
    /// Returns the first <paramref name="count"/> events published through this instance that match
    /// <paramref name="pattern"/> (and <paramref name="predicate"/>), past ones first, waiting for the rest.
    /// </summary>
    /// <param name="pattern">A subscription pattern, wildcards allowed.</param>
    /// <param name="count">How many matching events to wait for (at least 1).</param>
    /// <param name="predicate">An extra filter; null accepts every event matching the pattern.</param>
    /// <param name="timeout">Real-time bound; null uses <see cref="FakeBusOptions.DefaultWaitTimeout"/>.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="ArgumentException"><paramref name="pattern"/> is invalid.</exception>
    /// <exception cref="FakeBusWaitTimeoutException">Too few matched in time; the message lists what was published.</exception>
    /// <exception cref="ObjectDisposedException">The bus was disposed before enough matches were published.</exception>
    public async Task<IReadOnlyList<BusEvent>> WaitForCountAsync(string pattern, int count, Func<BusEvent, bool>? predicate = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        Topics.EnsureValidPattern(pattern);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var bound = timeout ?? _options.DefaultWaitTimeout;

        var waiter = new FakeBusWaiter(pattern, predicate, count);
        BusEvent[] history;
        bool disposed;
        lock (_recordGate)
        {
            // Registered under the same lock Record takes: every event is either in this history or offered live.
            _waiters.Add(waiter);
            history = _published.ToArray();
            disposed = IsDisposed;
        }

        try
        {
            waiter.OfferHistory(history);
            if (disposed)
            {
                waiter.Fail(new ObjectDisposedException(GetType().FullName));
            }

            try
            {
                return await waiter.Task.WaitAsync(bound, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException) when (!waiter.Task.IsCompleted)
            {
                throw new FakeBusWaitTimeoutException(WaitTimeoutMessage.Build(_options.ClientName, pattern, predicate is not null, count, waiter.Found, bound, Published));
            }
        }
        finally
        {
            lock (_recordGate)
            {
                _waiters.Remove(waiter);
            }
        }
    }

    /// <summary>Appends <paramref name="evt"/> to the record and returns the waits that must see it.</summary>
    private FakeBusWaiter[] Record(BusEvent evt)
    {
        lock (_recordGate)
        {
            _published.Enqueue(evt);
            _recordedBytes += evt.Payload.Length;
            while (_published.Count > _options.MaxRecordedEvents || _recordedBytes > _options.MaxRecordedBytes)
            {
                _recordedBytes -= _published.Dequeue().Payload.Length;
                Interlocked.Increment(ref _droppedFromRecord);
            }

            return _waiters.Count == 0 ? [] : _waiters.ToArray();
        }
    }

    private void FailPendingWaits()
    {
        FakeBusWaiter[] waiters;
        lock (_recordGate)
        {
            waiters = _waiters.ToArray();
        }

        foreach (var waiter in waiters)
        {
            waiter.Fail(new ObjectDisposedException(GetType().FullName));
        }
    }
}
