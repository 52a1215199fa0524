using System.Buffers;
using Decnet.Bus.Codec;
using Decnet.Bus.Internal;
using NATS.Client.Core;

namespace Decnet.Bus.Nats.Internal;

/// <summary>
/// Decides, from a received event and its raw NATS headers, whether it is delivered (the bridge's loop guard);
/// null delivers everything.
/// </summary>
internal delegate bool DeliveryFilter(BusEvent evt, ReadOnlySequence<byte>? headers);

/// <summary>
/// One NATS subscription delivering straight into a subscription queue (<see cref="SubscriptionQueue"/>). The client calls
/// <see cref="ReceiveInternalAsync"/> on its socket-reading task, and delivery never waits (drop-oldest, counted in
/// the channel), so no second queue sits between the socket and the consumer and the client's own pending-channel
/// drops (and NATS's slow-consumer disconnects that a blocked reader would cause) cannot happen.
/// </summary>
internal sealed class EnvelopeSubscription(INatsConnection connection, SubscriptionSlot slot, Action<string, string> reject)
    : NatsSubBase(connection, connection.SubscriptionManager, slot.Pattern, queueGroup: null, opts: null)
{
    protected override ValueTask ReceiveInternalAsync(string subject, string? replyTo, ReadOnlySequence<byte>? headersBuffer, ReadOnlySequence<byte> payloadBuffer)
    {
        if (!Topics.IsValidTopic(subject))
        {
            reject(subject, "the subject is not a valid topic");
            return ValueTask.CompletedTask;
        }

        var body = payloadBuffer.IsSingleSegment ? payloadBuffer.First : payloadBuffer.ToArray();
        if (!BusCodec.TryDeserializeEnvelope(body, out var evt, out var error))
        {
            reject(subject, error);
            return ValueTask.CompletedTask;
        }

        // Subject = topic: the subject the server routed on wins over the copy inside the envelope.
        if (!string.Equals(evt.Topic, subject, StringComparison.Ordinal))
        {
            evt = new BusEvent(subject, evt.Payload, evt.Type, evt.Id, evt.Timestamp, evt.Version) { TraceParent = evt.TraceParent, TraceState = evt.TraceState };
        }

        if (slot.Filter is null || slot.Filter(evt, headersBuffer))
        {
            slot.Channel.TryDeliver(evt);
        }

        return ValueTask.CompletedTask;
    }

    protected override void TryComplete()
    {
        // The channel is completed by its own DisposeAsync (which unsubscribes here), never from the NATS side.
    }
}
