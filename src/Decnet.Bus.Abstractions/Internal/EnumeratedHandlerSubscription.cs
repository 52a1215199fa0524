namespace Decnet.Bus.Internal;

/// <summary>
/// The default <see cref="IBus.SubscribeAsync(string, BusEventHandler, SubscriptionOptions?, CancellationToken)"/> for
/// buses that do not implement it: one task reads an enumerable subscription and calls the handler.
/// </summary>
internal sealed class EnumeratedHandlerSubscription : IBusHandlerSubscription
{
    // The subscription whose task runs the current code: set once when the task starts, so its handler calls (and
    // whatever they await) see it at no cost per event, and a dispose from inside one does not wait for itself.
    private static readonly AsyncLocal<EnumeratedHandlerSubscription?> _running = new();

    private readonly IBusSubscription _subscription;
    private readonly CancellationTokenSource _disposing = new();
    private readonly Task _run;
    private long _failed;
    private int _disposed;

    public EnumeratedHandlerSubscription(IBusSubscription subscription, BusEventHandler handler)
    {
        _subscription = subscription;
        _run = Task.Run(() => RunAsync(handler));
    }

    public string Pattern => _subscription.Pattern;

    public long Received => _subscription.Received;

    public long Dropped => _subscription.Dropped;

    public long Reconnected => _subscription.Reconnected;

    public long Failed => Interlocked.Read(ref _failed);

    public async ValueTask DisposeAsync()
    {
        // A second dispose is a no-op, as IAsyncDisposable asks: the token source is gone by then.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await _disposing.CancelAsync().ConfigureAwait(false);
        }
        catch (AggregateException)
        {
            // Callbacks the handler registered on its token threw (each ran): a failure of the handler, counted as its
            // others are, that must not stop the disposal and leave the subscription and its task running.
            Interlocked.Increment(ref _failed);
        }

        await _subscription.DisposeAsync().ConfigureAwait(false);
        if (ReferenceEquals(_running.Value, this))
        {
            // From inside the handler (or something it awaits): the task awaits this very call, so awaiting the task
            // would never return. The cancelled token and the ended enumeration stop it once the handler returns. The
            // token source, which has no timer, is left to the collector: the task may still read its token.
            return;
        }

        await _run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _disposing.Dispose();
    }

    private async Task RunAsync(BusEventHandler handler)
    {
        _running.Value = this;
        var token = _disposing.Token;
        await foreach (var evt in _subscription.WithCancellation(token).ConfigureAwait(false))
        {
            try
            {
                await handler(new BusDelivery(evt, evt.MissedBefore, evt.MayHaveMissed), token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The contract: a throwing handler is counted and the subscription carries on.
            catch (Exception)
#pragma warning restore CA1031
            {
                Interlocked.Increment(ref _failed);
            }
        }
    }
}
