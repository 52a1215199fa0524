using Decnet.Bus.Codec;
using Decnet.Bus.Fake.Internal;
using Decnet.Bus.Internal;
using Decnet.Bus.Tracing;
using Microsoft.Extensions.Logging;

namespace Decnet.Bus.Fake;

/// <summary>
/// An in-process <see cref="IBus"/> with the real transport's semantics (docs/Service-Bus.md): pattern routing, echo
/// (switchable), bounded drop-oldest subscription queues with exact counts, per-publisher order, subscriptions live
/// on return, prompt and idempotent disposal. It also records what it publishes so tests can assert on it
/// (<see cref="Published"/>, <see cref="WaitForAsync"/>).
/// </summary>
/// <remarks>
/// Each instance is one client. Instances sharing a <see cref="FakeBusNetwork"/> see each other's publishes, which
/// simulates several processes on one broker host. Events carry no <see cref="BusEvent.Publisher"/>: there are no
/// kernel credentials in-process.
/// </remarks>
public sealed partial class FakeBus : IBus
{
    // More than an envelope's fixed fields, map keys and largest trace take besides its topic, type and payload.
    private const int _envelopeOverheadBound = 1024;

    private readonly FakeBusOptions _options;
    private readonly FakeBusNetwork _network;
    private readonly BusCounterSet _counters = new(DecnetBusOptions.FakeTransport);
    private DeliveryLoop? _deliveryLoop;
    private int _disposed;

    /// <summary>Creates a client on a network of its own, with default options.</summary>
    public FakeBus()
        : this(new FakeBusOptions())
    {
    }

    /// <summary>Creates a client with <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <see cref="FakeBusOptions.QueueSize"/> or <see cref="FakeBusOptions.MaxFrameBytes"/> is less than 1, or
    /// <see cref="FakeBusOptions.MaxRecordedEvents"/> or <see cref="FakeBusOptions.MaxRecordedBytes"/> is negative.
    /// </exception>
    public FakeBus(FakeBusOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.QueueSize, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxFrameBytes, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxRecordedEvents, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxRecordedBytes, nameof(options));
        _options = options;
        _network = options.Network ?? new FakeBusNetwork();
    }

    /// <summary>The network this client is joined to.</summary>
    public FakeBusNetwork Network => _network;

    /// <summary>Whether this client's subscriptions receive its own publishes.</summary>
    public bool Echo => _options.Echo;

    /// <summary>The client name from the options.</summary>
    public string ClientName => _options.ClientName;

    /// <inheritdoc />
    public BusCounters Counters => _counters.Snapshot;

    internal bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <inheritdoc />
    public ValueTask PublishAsync<TPayload>(string topic, TPayload payload, string? type = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        Topics.EnsureValidTopic(topic);
        Topics.EnsureMaxBytes("Topic", topic, _options.MaxTopicBytes, nameof(topic));
        EventTypes.EnsureValid(type);

        // The token is not checked: it only cancels a wait for buffer space, which this bus never has, and the event is
        // sent whatever it says (IBus.PublishAsync; the real transports return normally when they need not wait).
        // Serialized once, like the real transport: subscribers decode their own copy-free view of the same bytes.
        var bytes = BusCodec.SerializePayload(payload);
        var timestamp = NowUnixSeconds();
        if (PublishTrace.StartsActivity)
        {
            // Refused before the send activity starts, as the UNIX transport does: a publish never sent leaves no span.
            var provisional = PublishTrace.Provisional();
            CheckFrame(new BusEvent(topic, bytes, type, id: null, timestamp) { TraceParent = provisional.Parent, TraceState = provisional.State });
        }

        var trace = BusActivities.OnPublish(topic);
        var evt = new BusEvent(topic, bytes, type, id: null, timestamp) { TraceParent = trace.Parent, TraceState = trace.State };
        CheckFrame(evt);

        _counters.AddPublished();
        var waiters = Record(evt);
        _network.Route(evt, this);
        foreach (var waiter in waiters)
        {
            waiter.Offer(evt);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    /// <remarks>
    /// A subscribe that cannot succeed returns a faulted task, as the real transports' do; the call never throws.
    /// </remarks>
    public ValueTask<IBusSubscription> SubscribeAsync(string pattern, SubscriptionOptions? options = null, CancellationToken cancellationToken = default)
    {
        var queueSize = options?.QueueSize ?? _options.QueueSize;
        if (CheckSubscribe(pattern, queueSize, cancellationToken) is { } refused)
        {
            return Refused<IBusSubscription>(refused, cancellationToken);
        }

        var subscription = new ChannelSubscription(pattern, queueSize, _counters, OnSubscriptionDisposed);
        _network.Add(subscription, this);
        return ValueTask.FromResult<IBusSubscription>(subscription);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Every handler of this client runs on one delivery loop. As on the UNIX transport, the delivery is lent: its
    /// payload and id bytes are a copy that is overwritten with 0xC1 once the handler's task completes, so a handler
    /// that keeps them fails here rather than in production. A subscribe that cannot succeed returns a faulted task.
    /// </remarks>
    public ValueTask<IBusHandlerSubscription> SubscribeAsync(string pattern, BusEventHandler handler, SubscriptionOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (handler is null)
        {
            return ValueTask.FromException<IBusHandlerSubscription>(new ArgumentNullException(nameof(handler)));
        }

        var queueSize = options?.QueueSize ?? _options.QueueSize;
        if (CheckSubscribe(pattern, queueSize, cancellationToken) is { } refused)
        {
            return Refused<IBusHandlerSubscription>(refused, cancellationToken);
        }

        var loop = LazyInitializer.EnsureInitialized(ref _deliveryLoop, () => new DeliveryLoop(_options.LoggerFactory?.CreateLogger<FakeBus>()));
        var lending = new LendingHandler(handler);
        var subscription = new HandlerSubscription(pattern, queueSize, lending.HandleAsync, loop, _counters, OnSubscriptionDisposed);
        _network.Add(subscription, this);
        return ValueTask.FromResult<IBusHandlerSubscription>(subscription);
    }

    /// <summary>Completes every subscription of this client and fails pending waits. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (var subscription in _network.RemoveOwner(this))
        {
            await subscription.DisposeAsync().ConfigureAwait(false);
        }

        FailPendingWaits();
        if (_deliveryLoop is { } loop)
        {
            await loop.DisposeAsync().ConfigureAwait(false);
        }
    }

    private ValueTask OnSubscriptionDisposed(SubscriptionQueue subscription)
    {
        _network.Remove(subscription);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// The checks the real transports make with the same options, so code a test accepts does not fail in production;
    /// returns the failure for the caller's task (the real transports' subscribes are asynchronous), or null.
    /// </summary>
    private Exception? CheckSubscribe(string pattern, int queueSize, CancellationToken cancellationToken)
    {
        try
        {
            ObjectDisposedException.ThrowIf(IsDisposed, this);
            ArgumentOutOfRangeException.ThrowIfLessThan(queueSize, 1, "options");
            Topics.EnsureValidPattern(pattern);
            Topics.EnsureMaxBytes("Pattern", pattern, _options.MaxTopicBytes, nameof(pattern));
            Topics.EnsureMaxTokens(pattern, _options.MaxPatternTokens);
            cancellationToken.ThrowIfCancellationRequested();
            return null;
        }
#pragma warning disable CA1031 // Every check's failure goes to the caller through the returned task.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return ex;
        }
    }

    /// <summary>A cancelled subscribe's task is cancelled, as an async method's is; other failures fault it.</summary>
    private static ValueTask<T> Refused<T>(Exception error, CancellationToken cancellationToken)
        => error is OperationCanceledException && cancellationToken.IsCancellationRequested
            ? ValueTask.FromCanceled<T>(cancellationToken)
            : ValueTask.FromException<T>(error);

    /// <summary>
    /// Refuses an event whose encoded envelope is over <see cref="FakeBusOptions.MaxFrameBytes"/>, as the real transports
    /// refuse a frame (or NATS message) over <c>DECNET_BUS_MAX_FRAME_BYTES</c>.
    /// </summary>
    private void CheckFrame(BusEvent evt)
    {
        // Encoding the envelope costs a copy of the payload: done only when the payload alone comes near the limit.
        // Topic, type and the fixed fields take at most 3 bytes a char plus a few dozen; a trace at most ~600.
        var bound = evt.Payload.Length + (3L * (evt.Topic.Length + evt.Type.Length)) + _envelopeOverheadBound;
        if (bound <= _options.MaxFrameBytes)
        {
            return;
        }

        var size = BusCodec.SerializeEnvelope(evt).Length;
        if (size > _options.MaxFrameBytes)
        {
            throw new ArgumentException($"The event is {size} bytes; DECNET_BUS_MAX_FRAME_BYTES allows at most {_options.MaxFrameBytes}.", "payload");
        }
    }

    private double NowUnixSeconds() => (_options.TimeProvider.GetUtcNow() - DateTimeOffset.UnixEpoch).TotalSeconds;
}
