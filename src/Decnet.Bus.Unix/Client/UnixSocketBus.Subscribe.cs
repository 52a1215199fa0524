using System.Text;
using Decnet.Bus.Internal;
using Decnet.Bus.Unix.Client.Internal;

namespace Decnet.Bus.Unix;

public sealed partial class UnixSocketBus
{
    /// <inheritdoc />
    /// <remarks>
    /// When the broker is reachable this returns after its SUBACK, so the subscription is live. When it is not (down,
    /// or no answer within <see cref="SubscribeWaitBound"/>), the subscription is returned anyway, without an
    /// exception, and goes live as soon as a connection is made; <see cref="IBusSubscription.Reconnected"/> does not
    /// count that first connection.
    /// </remarks>
    public async ValueTask<IBusSubscription> SubscribeAsync(string pattern, SubscriptionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        Topics.EnsureValidPattern(pattern);
        var maxTopic = _connection?.Welcome.MaxTopic ?? _options.MaxTopicBytes;
        if (Encoding.UTF8.GetByteCount(pattern) > maxTopic)
        {
            throw new ArgumentException($"Pattern \"{pattern}\" is longer than the broker's limit of {maxTopic} UTF-8 bytes.", nameof(pattern));
        }

        var sid = Interlocked.Increment(ref _nextSid);
        var channel = new ChannelSubscription(pattern, options?.QueueSize ?? _options.QueueSize, _counters, Unsubscribe);
        channel.State = sid;
        var subscription = new ClientSubscription(sid, pattern, channel);
        _subscriptions[sid] = subscription;
        EnsureStarted();

        var connection = await WaitForConnectionAsync(SubscribeWaitBound, cancellationToken).ConfigureAwait(false);
        var live = false;
        if (connection is not null)
        {
            // False when the connection died first: the reconnect loop re-subscribes it.
            var acknowledged = connection.SubscribeAsync(subscription).WaitAsync(SubscribeWaitBound, _time, cancellationToken);
            await ((Task)acknowledged).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            cancellationToken.ThrowIfCancellationRequested();
            live = acknowledged.IsCompletedSuccessfully && acknowledged.Result;
        }

        if (!live)
        {
            // Returned before the broker confirmed it: what is published until it goes live is lost uncounted.
            channel.MarkMayHaveMissedBeforeNext();
        }

        return channel;
    }

    private ValueTask Unsubscribe(ChannelSubscription channel)
    {
        if (channel.State is uint sid && _subscriptions.TryRemove(sid, out _))
        {
            _connection?.Unsubscribe(sid);
        }

        return ValueTask.CompletedTask;
    }
}
