using System.Diagnostics;
using System.Reflection;

namespace Decnet.Bus.Tracing;

/// <summary>
/// The two points every transport calls: <see cref="OnPublish"/> when it encodes a publish and
/// <see cref="OnDelivered"/> when it hands an event to a subscription. Both cost one check and no allocation when the
/// publish is outside any activity and nothing listens to <see cref="BusTracing.ActivitySourceName"/>.
/// </summary>
internal static class BusActivities
{
    private const string _messagingSystem = "decnet";

    public static readonly ActivitySource Source = new(
        BusTracing.ActivitySourceName,
        typeof(BusActivities).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion);

    /// <summary>
    /// The trace context a publish on <paramref name="topic"/> carries: none outside an activity; inside one, the
    /// context of a <c>send</c> producer activity when something listens, else the ambient activity's own context.
    /// </summary>
    public static TraceContext OnPublish(string topic)
    {
        var current = Activity.Current;
        if (current is null)
        {
            return default;
        }

        if (Source.HasListeners())
        {
            // The publish only hands the event to the transport, so the producer activity ends at once: it marks the
            // hand-off in the trace, and the receive activities of every subscriber become its children.
            using var producer = Source.StartActivity($"send {topic}", ActivityKind.Producer);
            if (producer is not null)
            {
                producer.SetTag("messaging.system", _messagingSystem);
                producer.SetTag("messaging.operation.type", "send");
                producer.SetTag("messaging.destination.name", topic);
                return Capture(producer);
            }
        }

        return Capture(current);
    }

    /// <summary>
    /// Records the delivery of <paramref name="evt"/> to one subscription as a <c>receive</c> consumer activity whose
    /// parent is the publisher's context, when the event carries one and something listens.
    /// </summary>
    public static void OnDelivered(BusEvent evt, string pattern)
    {
        if (evt.TraceParent is null || !Source.HasListeners()
            || !ActivityContext.TryParse(evt.TraceParent, evt.TraceState, isRemote: true, out var parent))
        {
            return;
        }

        using var consumer = Source.StartActivity($"receive {evt.Topic}", ActivityKind.Consumer, parent);
        if (consumer is not null)
        {
            consumer.SetTag("messaging.system", _messagingSystem);
            consumer.SetTag("messaging.operation.type", "receive");
            consumer.SetTag("messaging.destination.name", evt.Topic);
            consumer.SetTag("messaging.destination.subscription.name", pattern);
            if (EventId.IsValid(evt.Id))
            {
                // An id is any string to the broker and to BusEvent's constructor; a tag gets only a well-formed one.
                consumer.SetTag("messaging.message.id", evt.Id);
            }
        }
    }

    /// <summary>
    /// Only the W3C format crosses the wire (docs/wire-protocol.md); a hierarchical id has no traceparent. The
    /// application's tracestate is any string, so it is sent only when receivers would keep it
    /// (<see cref="TraceContextRules.IsValidState"/>): every transport then delivers the same context.
    /// </summary>
    private static TraceContext Capture(Activity activity)
    {
        if (activity.IdFormat != ActivityIdFormat.W3C)
        {
            return default;
        }

        var state = activity.TraceStateString;
        return new TraceContext(activity.Id, TraceContextRules.IsValidState(state) ? state : null);
    }
}
