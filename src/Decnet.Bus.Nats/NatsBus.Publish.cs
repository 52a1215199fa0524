using System.Text;
using Decnet.Bus.Codec;
using Decnet.Bus.Internal;
using Decnet.Bus.Nats.Internal;
using Decnet.Bus.Tracing;
using NATS.Client.Core;

namespace Decnet.Bus.Nats;

public sealed partial class NatsBus
{
    private const string _headerVersionLine = "NATS/1.0\r\n";

    /// <inheritdoc />
    /// <remarks>
    /// While the connection is not open the event is dropped and counted at once (the NATS client itself would hold
    /// the caller until it reconnects). On an open connection a slow server makes the caller wait for room in the
    /// client's write buffer, in publish order; once a stall has lasted <see cref="DecnetBusOptions.StallTimeout"/>
    /// (checked each second, so up to about two seconds more), and until the server reads again, publishes are written
    /// only if there is room at once and are otherwise dropped and counted, never thrown. A publish that outlives its
    /// connection is dropped and counted. <paramref name="cancellationToken"/> ends the caller's wait only: the event is
    /// still sent or counted.
    /// </remarks>
    public ValueTask PublishAsync<TPayload>(string topic, TPayload payload, string? type = null, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        CheckTopic(topic);
        EventTypes.EnsureValid(type);
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        var bytes = BusCodec.SerializePayload(payload);
        var headers = PublisherClaim.NewHeaders();
        if (PublishTrace.StartsActivity)
        {
            // Refused before the send activity starts, as on the other transports: a publish never sent leaves no span.
            var provisional = PublishTrace.Provisional();
            CheckSize(BusCodec.SerializeEnvelope(new BusEvent(topic, bytes, type, id: null, timestamp) { TraceParent = provisional.Parent, TraceState = provisional.State }), headers);
        }

        var trace = BusActivities.OnPublish(topic);
        var evt = new BusEvent(topic, bytes, type, id: null, timestamp) { TraceParent = trace.Parent, TraceState = trace.State };
        return PublishCheckedAsync(evt, headers, cancellationToken);
    }

    /// <summary>
    /// Publishes <paramref name="evt"/> as it is (id, type and timestamp kept, topic = subject) with the given headers;
    /// the bridge forwards local events with it. Same drop-and-count rules as <see cref="PublishAsync{TPayload}"/>.
    /// </summary>
    internal ValueTask PublishEventAsync(BusEvent evt, NatsHeaders headers, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        CheckTopic(evt.Topic);
        return PublishCheckedAsync(evt, headers, cancellationToken);
    }

    /// <summary><see cref="PublishEventAsync"/> for an event whose topic is already checked (once per publish).</summary>
    private ValueTask PublishCheckedAsync(BusEvent evt, NatsHeaders headers, CancellationToken cancellationToken)
    {
        var body = BusCodec.SerializeEnvelope(evt);
        CheckSize(body, headers);
        _counters.AddPublished();
        EnsureStarted();
        if (!IsConnected)
        {
            return _firstAttempt.Task.IsCompleted
                ? Drop()
                : Detach(LaneAsync(evt.Topic, body, headers, first: null, Environment.TickCount64 + (long)FirstConnectWaitBound.TotalMilliseconds), cancellationToken);
        }

        return Detach(Send(evt.Topic, body, headers), cancellationToken);
    }

    /// <summary>Refuses an envelope the server would drop with an -ERR: it holds headers and body together to max_payload.</summary>
    private void CheckSize(byte[] body, NatsHeaders headers)
    {
        var size = (long)body.Length + HeaderBytes(headers);
        var limit = Math.Min(_options.MaxFrameBytes, _connection.ServerInfo?.MaxPayload is > 0 and var max ? max : long.MaxValue);
        if (size > limit)
        {
            throw new ArgumentException($"The event is {size} bytes with its NATS headers; the NATS server and DECNET_BUS_MAX_FRAME_BYTES allow at most {limit}.", "evt");
        }
    }

    /// <summary>
    /// The caller's token ends the caller's wait, never the publish: the event is as good as queued once it is counted,
    /// and is sent or counted as dropped whatever the caller does (the <see cref="IBus"/> contract).
    /// </summary>
    private static ValueTask Detach(ValueTask publish, CancellationToken cancellationToken)
        => publish.IsCompleted || !cancellationToken.CanBeCanceled ? publish : new ValueTask(publish.AsTask().WaitAsync(cancellationToken));

    /// <summary>NATS is unreachable: the event is a lost hint, counted; the database still has the state.</summary>
    private ValueTask Drop()
    {
        _counters.AddDropped();
        return ValueTask.CompletedTask;
    }

    private void CheckTopic(string topic)
    {
        Topics.EnsureValidTopic(topic);
        CheckSubjectLength("Topic", topic, nameof(topic));
    }

    /// <summary>
    /// Refuses a topic or pattern over <c>DECNET_BUS_MAX_TOPIC_BYTES</c>, or over what a default nats-server takes in a
    /// subject: its longer control line closes the connection, losing what was sent with it (docs/cross-host.md).
    /// </summary>
    private void CheckSubjectLength(string what, string subject, string paramName)
    {
        Topics.EnsureMaxBytes(what, subject, _options.MaxTopicBytes, paramName);
        if (_options.MaxTopicBytes > DecnetBusNatsOptions.MaxSubjectBytes && Encoding.UTF8.GetByteCount(subject) > DecnetBusNatsOptions.MaxSubjectBytes)
        {
            throw new ArgumentException($"{what} \"{Topics.Printable(subject)}\" is longer than the {DecnetBusNatsOptions.MaxSubjectBytes} UTF-8 bytes a NATS subject may have.", paramName);
        }
    }

    /// <summary>
    /// The size of the header block the client writes before the body: <c>NATS/1.0\r\n</c>, <c>Key: Value\r\n</c> per
    /// value, then <c>\r\n</c>, one byte a character (the client writes headers in ASCII).
    /// </summary>
    private static int HeaderBytes(NatsHeaders headers)
    {
        var bytes = _headerVersionLine.Length + 2;
        foreach (var (key, values) in headers)
        {
            foreach (var value in values)
            {
                bytes += key.Length + 2 + (value?.Length ?? 0) + 2;
            }
        }

        return bytes;
    }
}
