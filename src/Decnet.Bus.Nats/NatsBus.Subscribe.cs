using Decnet.Bus.Internal;
using Decnet.Bus.Nats.Internal;

namespace Decnet.Bus.Nats;

public sealed partial class NatsBus
{
    private DeliveryLoop? _deliveryLoop;

    /// <inheritdoc />
    /// <remarks>
    /// Live on return: the SUB is written, then a PING/PONG round trip proves the server has processed it, so anything
    /// published afterwards, by any client of the server, is delivered. While the first connection is being made this
    /// waits for it, at most <see cref="SubscribeWaitBound"/>; when the server is down (the first attempt failed, or the
    /// connection was lost and the client is reconnecting) it does not wait. Either way, and when the server is silent
    /// for <see cref="SubscribeWaitBound"/>, the subscription is returned registered and goes live when the client
    /// connects; its first event then reports <see cref="BusEvent.MayHaveMissed"/>.
    /// A SUB the server's permissions refuse throws <see cref="BusSubscriptionRejectedException"/> (code 12), one over
    /// its subscription limit code 5; refused after it was returned, the subscription ends. Either way it is not sent
    /// again.
    /// </remarks>
    public ValueTask<IBusSubscription> SubscribeAsync(string pattern, SubscriptionOptions? options = null, CancellationToken cancellationToken = default)
        => SubscribeFilteredAsync(pattern, options, filter: null, cancellationToken);

    /// <summary>Like <see cref="SubscribeAsync(string, SubscriptionOptions?, CancellationToken)"/>, delivering only what <paramref name="filter"/> admits (the bridge's loop guard).</summary>
    internal async ValueTask<IBusSubscription> SubscribeFilteredAsync(string pattern, SubscriptionOptions? options, DeliveryFilter? filter, CancellationToken cancellationToken)
        => (ChannelSubscription)await SubscribeQueueAsync(
            pattern,
            (size, unsubscribe) => new ChannelSubscription(pattern, size, _counters, unsubscribe),
            options,
            filter,
            cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    /// <remarks>
    /// As <see cref="SubscribeAsync(string, SubscriptionOptions?, CancellationToken)"/>; every handler of this client runs
    /// on one delivery loop.
    /// </remarks>
    public async ValueTask<IBusHandlerSubscription> SubscribeAsync(string pattern, BusEventHandler handler, SubscriptionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ThrowIfDisposed();
        var loop = LazyInitializer.EnsureInitialized(ref _deliveryLoop, () => new DeliveryLoop(_logger));
        return (HandlerSubscription)await SubscribeQueueAsync(
            pattern,
            (size, unsubscribe) => new HandlerSubscription(pattern, size, handler, loop, _counters, unsubscribe),
            options,
            filter: null,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Registers the queue <paramref name="create"/> makes and waits (bounded) until the server has it live.</summary>
    private async ValueTask<SubscriptionQueue> SubscribeQueueAsync(
        string pattern,
        Func<int, Func<SubscriptionQueue, ValueTask>, SubscriptionQueue> create,
        SubscriptionOptions? options,
        DeliveryFilter? filter,
        CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        Topics.EnsureValidPattern(pattern);
        CheckSubjectLength("Pattern", pattern, nameof(pattern));
        Topics.EnsureMaxTokens(pattern, _options.MaxPatternTokens);

        SubscriptionSlot? slot = null;
        var channel = create(options?.QueueSize ?? _options.QueueSize, _ => UnsubscribeAsync(slot));
        slot = new SubscriptionSlot(pattern, channel, filter);
        _subscriptions[slot] = 0;

        // A disposal that began after ThrowIfDisposed above disposes only the subscriptions it finds: one added after
        // its look would never end. The full fence orders the add before the check, as the disposal's exchange orders
        // its flag before its look, so either the disposal finds this one or this sees the disposal.
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _disposed) != 0)
        {
            await channel.DisposeAsync().ConfigureAwait(false);
            ThrowIfDisposed();
        }

        try
        {
            var confirmed = false;
            if (await WaitForOpenAsync(SubscribeWaitBound, cancellationToken).ConfigureAwait(false))
            {
                confirmed = await ConfirmSubscribedAsync(slot, cancellationToken).ConfigureAwait(false);
                if (slot.Refusal is { } refusal)
                {
                    await channel.DisposeAsync().ConfigureAwait(false);
                    throw new BusSubscriptionRejectedException(
                        pattern,
                        refusal.Code,
                        $"The NATS server refused the subscription to \"{Topics.Printable(pattern)}\": {UntrustedText.Escape(refusal.Error)}");
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (!confirmed)
            {
                // Returned before the server had it (as the UNIX client's): what is published until it goes live is
                // lost uncounted, so its first event says so (docs/Service-Bus.md, "Missed events").
                channel.MarkMayHaveMissedBeforeNext();
            }
        }
        catch (OperationCanceledException)
        {
            // Registered but not wanted any more: forget it, and UNSUB it at the server if SUB went out.
            await channel.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return channel;
    }

    /// <summary>
    /// Sends <paramref name="slot"/>'s SUB and waits (bounded) for the PONG after it; true when the PONG came. On
    /// return the slot carries the server's refusal, if it refused the SUB.
    /// </summary>
    private async Task<bool> ConfirmSubscribedAsync(SubscriptionSlot slot, CancellationToken cancellationToken)
    {
        // The server answers a SUB only when it refuses it, with an -ERR read before the PONG that follows. Its
        // permissions name the subject (RefuseSubscriptions has marked the slot by then); its subscription limit names
        // none, so an -ERR of that kind while this SUB was in flight is taken as this SUB's, which refuses a SUB of a
        // concurrent SubscribeAsync too when the two overlap (docs/cross-host.md, "Where NATS differs").
        var limitRefusals = Interlocked.Read(ref _subscriptionLimitRefusals);
        if (!await EnsureSubscribedAsync(slot, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        var confirmed = true;
        try
        {
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bound.CancelAfter(SubscribeWaitBound);
            await PingConfirmingAsync(bound.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsTransportFailure(ex, cancellationToken))
        {
            confirmed = false;
            Log.SubscribeNotConfirmed(_logger, slot.Pattern, UntrustedText.DescribeException(ex));
        }

        if (Interlocked.Read(ref _subscriptionLimitRefusals) != limitRefusals)
        {
            slot.TryRefuse(BusSubscriptionRejectedException.TooManySubscriptionsCode, _subscriptionLimit);
        }

        return confirmed;
    }

    /// <summary>
    /// Registers a NATS subscription for <paramref name="slot"/> unless one is registered; true when one is. A failed
    /// SUB leaves the slot empty for the next <c>ConnectionOpened</c>.
    /// </summary>
    private async Task<bool> EnsureSubscribedAsync(SubscriptionSlot slot, CancellationToken cancellationToken)
    {
        await slot.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (slot.Current is not null)
            {
                return true;
            }

            if (slot.Channel.IsDisposed || !IsConnected)
            {
                return false;
            }

            var nats = new EnvelopeSubscription(_connection, slot, Reject);
            try
            {
                await _connection.AddSubAsync(nats, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsTransportFailure(ex, cancellationToken))
            {
                Log.SubscribeNotConfirmed(_logger, slot.Pattern, UntrustedText.DescribeException(ex));
                return false;
            }

            slot.Current = nats;
            slot.Epoch = Interlocked.Read(ref _disconnects);
            if (slot.EverLive)
            {
                slot.Channel.MarkReconnected();
            }

            slot.EverLive = true;
            return true;
        }
        finally
        {
            slot.Gate.Release();
        }
    }

    /// <summary>
    /// After a (re)connect: counts re-established subscriptions and subscribes the ones the client forgot.
    /// </summary>
    private async Task ResubscribeAsync()
    {
        var epoch = Interlocked.Read(ref _disconnects);
        foreach (var slot in _subscriptions.Keys)
        {
            if (slot.Current is not null)
            {
                // The client re-sent its SUB before reporting the connection open; count it once per lost connection.
                if (slot.Epoch < epoch)
                {
                    slot.Epoch = epoch;
                    slot.Channel.MarkReconnected();
                }
            }
            else
            {
                await EnsureSubscribedAsync(slot, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private async ValueTask UnsubscribeAsync(SubscriptionSlot? slot)
    {
        if (slot is null || !_subscriptions.TryRemove(slot, out _))
        {
            return;
        }

        await slot.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            // Not when the bus is being disposed: its connection closes next and the server forgets every subscription
            // with it, while an UNSUB each would wait the client's command timeout in turn on a stalled server.
            if (slot.Current is { } nats)
            {
                slot.Current = null;
                if (Volatile.Read(ref _disposed) == 0)
                {
                    await nats.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The connection is gone or closing: the server forgets the subscription with it.
        }
        finally
        {
            slot.Gate.Release();
        }
    }
}
