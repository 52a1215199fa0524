using System.Text;
using Decnet.Bus.Internal;
using Decnet.Bus.Unix.Client.Internal;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix;

public sealed partial class UnixSocketBus
{
    /// <summary>The name of the thread enumerable consumers and the delivery loop resume on while it is free.</summary>
    internal const string ResumeThreadName = "decnet-bus-resume";

    private readonly Lock _resumeGate = new();
    private long _publishesRejected;
    private ErrorMessage? _lastPublishRejection;
    private DeliveryLoop? _deliveryLoop;
    private ResumeThread? _resumeThread;

    /// <summary>Publishes the broker refused (ERR naming a PUB, for example denied by its ACL); also counted as dropped.</summary>
    internal long PublishesRejected => Interlocked.Read(ref _publishesRejected);

    /// <summary>
    /// The broker's ERR for the latest refused publish (its code and text, unescaped), or null: a short-lived
    /// publisher (<c>decnet pub</c>) says why its event was refused after <see cref="FlushAsync"/>, which the broker
    /// answers only after the ERRs of the publishes before it.
    /// </summary>
    internal ErrorMessage? LastPublishRejection => Volatile.Read(ref _lastPublishRejection);

    /// <summary>Whether the handlers' delivery loop exists and waits for events (for tests).</summary>
    internal bool DeliveryLoopParked => _deliveryLoop?.IsParked == true;

    /// <summary>Whether the resume thread, if started, is free (for tests that need the next wake-up to go to it).</summary>
    internal bool ResumeThreadIdle => _resumeThread?.IsIdle != false;

    /// <summary>Subscriptions this client keeps (and re-sends after a reconnect).</summary>
    internal int SubscriptionCount => _subscriptions.Count;

    /// <inheritdoc />
    /// <remarks>
    /// When the broker is reachable this returns after its SUBACK, so the subscription is live. When it is not (down,
    /// or no answer within <see cref="SubscribeWaitBound"/>), the subscription is returned anyway, without an
    /// exception, and goes live as soon as a connection is made; <see cref="IBusSubscription.Reconnected"/> does not
    /// count that first connection. A subscription beyond the broker's limit (WELCOME <c>max_subs</c>) is refused here,
    /// before anything is sent; one the broker refuses (for example a pattern with more tokens than it allows) throws
    /// when its ERR arrives. Either way it throws <see cref="BusSubscriptionRejectedException"/>, nothing is kept, and
    /// the connection and the other subscriptions carry on. A refusal of a subscription re-sent after a reconnect is
    /// logged and ends that subscription's enumeration. Cancelling removes the subscription, and sends UNSUB if SUB
    /// already went out. With <see cref="SubscriptionOptions.InlineDelivery"/>, a consumer waiting in
    /// <c>MoveNextAsync</c> without a captured context resumes on the receive thread when events arrive
    /// (docs/dotnet-hosts.md, "Inline delivery").
    /// </remarks>
    public async ValueTask<IBusSubscription> SubscribeAsync(string pattern, SubscriptionOptions? options = null, CancellationToken cancellationToken = default)
    {
        // The thread starts only once the subscription is valid (the queue is made after the checks).
        var inline = options?.InlineDelivery == true;
        return (ChannelSubscription)await SubscribeQueueAsync(pattern, size => new ChannelSubscription(pattern, size, _counters, Unsubscribe, inline, inline ? null : EnsureResumeThread()), options, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>
    /// As <see cref="SubscribeAsync(string, SubscriptionOptions?, CancellationToken)"/>, and every handler of this client
    /// runs on one delivery loop: the receive loop copies each event's bytes into the subscription's ring (reusing the
    /// ring's buffers, so nothing is allocated per event) and wakes the loop once per run of events, only when it is
    /// parked. With <see cref="SubscriptionOptions.InlineDelivery"/> the receive loop calls the handler itself while
    /// nothing of the subscription is queued (docs/dotnet-hosts.md, "Inline delivery").
    /// </remarks>
    public async ValueTask<IBusHandlerSubscription> SubscribeAsync(string pattern, BusEventHandler handler, SubscriptionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ThrowIfDisposed();
        return (HandlerSubscription)await SubscribeQueueAsync(pattern, size => new HandlerSubscription(pattern, size, handler, EnsureDeliveryLoop(), _counters, Unsubscribe, options?.InlineDelivery == true), options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Registers the queue <paramref name="create"/> makes under a new sid and waits until the broker has it live.</summary>
    private async ValueTask<SubscriptionQueue> SubscribeQueueAsync(string pattern, Func<int, SubscriptionQueue> create, SubscriptionOptions? options, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        Topics.EnsureValidPattern(pattern);
        var maxTopic = _connection?.Welcome.MaxTopic ?? _options.MaxTopicBytes;
        if (Encoding.UTF8.GetByteCount(pattern) > maxTopic)
        {
            throw new ArgumentException($"Pattern \"{pattern}\" is longer than the broker's limit of {maxTopic} UTF-8 bytes.", nameof(pattern));
        }

        if (_connection is { } live && _subscriptions.Count >= live.Welcome.MaxSubscriptions)
        {
            throw new BusSubscriptionRejectedException(
                pattern,
                (int)BusErrorCode.TooManySubscriptions,
                $"The broker allows {live.Welcome.MaxSubscriptions} subscriptions per connection and this client holds {_subscriptions.Count}; \"{pattern}\" was not sent.");
        }

        var channel = create(options?.QueueSize ?? _options.QueueSize);
        var subscription = Register(pattern, channel);

        // A disposal that began after ThrowIfDisposed above disposes only the subscriptions it finds: one added after
        // its look would never end. The full fence orders the add before the check, as the disposal's exchange orders
        // its flag before its look, so either the disposal finds this one or this sees the disposal.
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _disposed) != 0)
        {
            await channel.DisposeAsync().ConfigureAwait(false);
            ThrowIfDisposed();
        }

        var acknowledgedLive = false;
        try
        {
            EnsureStarted();
            var connection = await WaitForConnectionAsync(SubscribeWaitBound, cancellationToken).ConfigureAwait(false);
            if (connection is not null)
            {
                // False when the connection died first (the reconnect loop re-subscribes it) or the broker refused it.
                var acknowledged = connection.SubscribeAsync(subscription).WaitAsync(SubscribeWaitBound, _time, cancellationToken);
                await ((Task)acknowledged).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                cancellationToken.ThrowIfCancellationRequested();
                acknowledgedLive = acknowledged.IsCompletedSuccessfully && acknowledged.Result;
            }
        }
        catch (OperationCanceledException)
        {
            // Registered but not wanted any more: forget it, and UNSUB it at the broker if SUB went out.
            await channel.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        if (subscription.Rejection is { } rejection)
        {
            throw rejection;
        }

        if (!acknowledgedLive)
        {
            // Returned before the broker confirmed it: what is published until it goes live is lost uncounted.
            channel.MarkMayHaveMissedBeforeNext();
        }

        return channel;
    }

    /// <summary>
    /// Keeps <paramref name="channel"/> under the next sid no live subscription holds. The counter wraps after 2³²
    /// subscribes; a wrapped sid still in use would replace that subscription, which would stop receiving, while the
    /// connection, finding the sid's SUB already acknowledged, would never send the new pattern. 0 is skipped: the C#
    /// client counts from 1 (docs/wire-protocol.md §4.2).
    /// </summary>
    private ClientSubscription Register(string pattern, SubscriptionQueue channel)
    {
        while (true)
        {
            var sid = Interlocked.Increment(ref _nextSid);
            if (sid == 0)
            {
                continue;
            }

            channel.State = sid;
            var subscription = new ClientSubscription(sid, pattern, channel);
            if (_subscriptions.TryAdd(sid, subscription))
            {
                return subscription;
            }
        }
    }

    /// <summary>
    /// The broker refused one request and kept the connection (docs/wire-protocol.md §6). A refused subscription is
    /// forgotten, so no reconnect re-sends it, and ends; a refused publish is a lost event, counted as dropped.
    /// </summary>
    private void OnRequestRejected(ErrorMessage error)
    {
        if (error.Request != FrameKind.Sub)
        {
            // Recorded before it is counted: whoever sees the count also sees an ERR.
            Volatile.Write(ref _lastPublishRejection, error);
            Interlocked.Increment(ref _publishesRejected);
            _counters.AddDropped();
            return;
        }

        if (_subscriptions.TryRemove(error.Sid, out var subscription))
        {
            subscription.Rejection = new BusSubscriptionRejectedException(
                subscription.Pattern,
                (int)error.Code,
                $"The bus broker refused the subscription to \"{subscription.Pattern}\" ({error.Code}): {ClientLog.BrokerText(error.Message)}");
            _ = subscription.Queue.DisposeAsync().AsTask();
        }
    }

    /// <summary>The handlers' delivery loop, made with the first handler subscription that passed the checks.</summary>
    private DeliveryLoop EnsureDeliveryLoop() => LazyInitializer.EnsureInitialized(ref _deliveryLoop, () => new DeliveryLoop(_logger, EnsureResumeThread()));

    /// <summary>
    /// The thread consumers resume on while it is free, started with the first subscription that needs it; null once the
    /// bus is disposing. Under a lock, so racing subscribers start one thread, and none starts after the disposal let go
    /// of it.
    /// </summary>
    private ResumeThread? EnsureResumeThread()
    {
        lock (_resumeGate)
        {
            if (Volatile.Read(ref _disposed) != 0)
            {
                return null;
            }

            return _resumeThread ??= new ResumeThread(ResumeThreadName);
        }
    }

    private ValueTask Unsubscribe(SubscriptionQueue queue)
    {
        if (queue.State is uint sid && _subscriptions.TryRemove(sid, out _))
        {
            _connection?.Unsubscribe(sid);
        }

        return ValueTask.CompletedTask;
    }
}
