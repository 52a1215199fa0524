using System.Text;
using Decnet.Bus.Codec;
using Decnet.Bus.Nats.Internal;
using Decnet.Bus.Tracing;
using NATS.Client.Core;

namespace Decnet.Bus.Nats;

public sealed partial class NatsBus
{
    /// <inheritdoc />
    /// <remarks>
    /// While the connection is not open the event is dropped and counted at once (the NATS client itself would hold
    /// the caller until it reconnects). An open connection only makes the caller wait for room in the client's write
    /// buffer, for as long as the connection stays open, at most <see cref="DecnetBusOptions.StallTimeout"/>; a
    /// publish that races a disconnect fails inside the client within about a second. Either way the event is counted
    /// as dropped, never thrown.
    /// </remarks>
    public ValueTask PublishAsync<TPayload>(string topic, TPayload payload, string? type = null, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        CheckTopic(topic);
        EventTypes.EnsureValid(type);
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        var trace = BusActivities.OnPublish(topic);
        var evt = new BusEvent(topic, BusCodec.SerializePayload(payload), type, id: null, timestamp) { TraceParent = trace.Parent, TraceState = trace.State };
        return PublishEventAsync(evt, PublisherClaim.NewHeaders(), cancellationToken);
    }

    /// <summary>
    /// Publishes <paramref name="evt"/> as it is (id, type and timestamp kept, topic = subject) with the given headers;
    /// the bridge forwards local events with it. Same drop-and-count rules as <see cref="PublishAsync{TPayload}"/>.
    /// </summary>
    internal ValueTask PublishEventAsync(BusEvent evt, NatsHeaders headers, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        CheckTopic(evt.Topic);
        var body = BusCodec.SerializeEnvelope(evt);
        var limit = Math.Min(_options.MaxFrameBytes, _connection.ServerInfo?.MaxPayload is > 0 and var max ? max : long.MaxValue);
        if (body.Length > limit)
        {
            throw new ArgumentException($"The event is {body.Length} bytes; the NATS server and DECNET_BUS_MAX_FRAME_BYTES allow at most {limit}.", nameof(evt));
        }

        _counters.AddPublished();
        EnsureStarted();
        if (!IsConnected)
        {
            return _firstAttempt.Task.IsCompleted
                ? Drop()
                : PublishAfterFirstAttemptAsync(evt.Topic, body, headers, cancellationToken);
        }

        return Send(evt.Topic, body, headers, cancellationToken);
    }

    /// <summary>NATS is unreachable: the event is a lost hint, counted; the database still has the state.</summary>
    private ValueTask Drop()
    {
        _counters.AddDropped();
        return ValueTask.CompletedTask;
    }

    /// <summary>A publish made while the first connection is under way waits for it (bounded), like the UNIX client's queue.</summary>
    private async ValueTask PublishAfterFirstAttemptAsync(string subject, byte[] body, NatsHeaders headers, CancellationToken cancellationToken)
    {
        try
        {
            await _firstAttempt.Task.WaitAsync(FirstConnectWaitBound, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        if (IsConnected)
        {
            await Send(subject, body, headers, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            _counters.AddDropped();
        }
    }

    private ValueTask Send(string subject, byte[] body, NatsHeaders headers, CancellationToken cancellationToken)
    {
        ValueTask sending;
        try
        {
            sending = Write(subject, body, headers, cancellationToken);
        }
        catch (Exception ex) when (IsTransportFailure(ex, cancellationToken))
        {
            _counters.AddDropped();
            return ValueTask.CompletedTask;
        }

        return sending.IsCompletedSuccessfully ? ValueTask.CompletedTask : AwaitSendAsync(subject, body, headers, sending, cancellationToken);
    }

    /// <summary>
    /// Waits for a publish the client could not write at once. The client gives up waiting for room after its command
    /// timeout (about a second) without having written the event: it waits for its lock and for the previous flush
    /// before it writes, so offering the event again cannot duplicate it (the stall tests count every event). While
    /// the connection stays open that is a slow server, not a lost one, so the event is offered again until
    /// <see cref="DecnetBusOptions.StallTimeout"/> (zero: for as long as the connection stays open). A publish that
    /// outlives the connection is dropped and counted.
    /// </summary>
    private async ValueTask AwaitSendAsync(string subject, byte[] body, NatsHeaders headers, ValueTask sending, CancellationToken cancellationToken)
    {
        var started = Environment.TickCount64;
        while (true)
        {
            try
            {
                await sending.ConfigureAwait(false);
                return;
            }
            catch (NatsTimeoutException) when (IsConnected && Volatile.Read(ref _disposed) == 0 && !cancellationToken.IsCancellationRequested && WithinStallBound(started))
            {
                Interlocked.Increment(ref _publishWaits);
            }
            catch (Exception ex) when (IsTransportFailure(ex, cancellationToken))
            {
                _counters.AddDropped();
                return;
            }

            try
            {
                sending = Write(subject, body, headers, cancellationToken);
            }
            catch (Exception ex) when (IsTransportFailure(ex, cancellationToken))
            {
                _counters.AddDropped();
                return;
            }
        }
    }

    private ValueTask Write(string subject, byte[] body, NatsHeaders headers, CancellationToken cancellationToken)
        => _connection.PublishAsync(subject, body, headers, replyTo: null, NatsRawSerializer<byte[]>.Default, opts: null, cancellationToken);

    private bool WithinStallBound(long started)
        => _options.StallTimeout <= TimeSpan.Zero || Environment.TickCount64 - started < (long)_options.StallTimeout.TotalMilliseconds;

    /// <summary>Anything the client throws except the caller's own cancellation is the transport failing.</summary>
    private static bool IsTransportFailure(Exception ex, CancellationToken cancellationToken)
        => ex is not ArgumentException && !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested);

    private void CheckTopic(string topic)
    {
        Topics.EnsureValidTopic(topic);
        if (Encoding.UTF8.GetByteCount(topic) > _options.MaxTopicBytes)
        {
            throw new ArgumentException($"Topic \"{Topics.Printable(topic)}\" is longer than DECNET_BUS_MAX_TOPIC_BYTES={_options.MaxTopicBytes} UTF-8 bytes.", nameof(topic));
        }
    }
}
