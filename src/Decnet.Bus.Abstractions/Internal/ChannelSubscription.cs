using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Decnet.Bus.Internal;

/// <summary>
/// A subscription backed by a bounded drop-oldest channel. Transports deliver with <see cref="TryDeliver"/> (never
/// blocks); the consumer enumerates. Shared by FakeBus and the Unix client so both count and drop identically.
/// </summary>
internal sealed class ChannelSubscription : IBusSubscription
{
    private readonly Channel<BusEvent> _channel;
    private readonly BusCounterSet? _busCounters;
    private Func<ChannelSubscription, ValueTask>? _onDispose;
    private long _received;
    private long _dropped;
    private long _reconnected;
    private int _disposed;

    public ChannelSubscription(string pattern, int queueSize, BusCounterSet? busCounters, Func<ChannelSubscription, ValueTask>? onDispose)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(queueSize, 1);
        Pattern = pattern;
        QueueSize = queueSize;
        _busCounters = busCounters;
        _onDispose = onDispose;
        _channel = Channel.CreateBounded<BusEvent>(
            new BoundedChannelOptions(queueSize)
            {
                FullMode = BoundedChannelFullMode.DropOldest,
                SingleReader = false,
                SingleWriter = false,
                AllowSynchronousContinuations = false,
            },
            OnItemDropped);
    }

    public string Pattern { get; }

    public int QueueSize { get; }

    public long Received => Volatile.Read(ref _received);

    public long Dropped => Volatile.Read(ref _dropped);

    public long Reconnected => Volatile.Read(ref _reconnected);

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Transport-owned state (for example a wire subscription id).</summary>
    public object? State { get; set; }

    /// <summary>Queues <paramref name="evt"/>, dropping the oldest queued event when full. Returns false once disposed.</summary>
    public bool TryDeliver(BusEvent evt)
    {
        if (IsDisposed)
        {
            return false;
        }

        // Count before writing: the write may synchronously drop the oldest, and Received must never trail Dropped.
        Interlocked.Increment(ref _received);
        if (!_channel.Writer.TryWrite(evt))
        {
            // Completed concurrently by DisposeAsync: the event is gone, and was never handed out.
            return false;
        }

        _busCounters?.AddDelivered();
        return true;
    }

    /// <summary>Records that the transport re-established this subscription after a reconnect.</summary>
    public void MarkReconnected() => Interlocked.Increment(ref _reconnected);

    public async IAsyncEnumerator<BusEvent> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        var reader = _channel.Reader;
        while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (reader.TryRead(out var evt))
            {
                yield return evt;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _channel.Writer.TryComplete();

        // Discard what is queued so waiting iterators end now instead of draining a backlog nobody wants.
        while (_channel.Reader.TryRead(out _))
        {
        }

        var onDispose = Interlocked.Exchange(ref _onDispose, null);
        if (onDispose is not null)
        {
            await onDispose(this).ConfigureAwait(false);
        }
    }

    private void OnItemDropped(BusEvent dropped)
    {
        Interlocked.Increment(ref _dropped);
        _busCounters?.AddDropped();
    }
}
