using System.Diagnostics;
using Decnet.Bus.Tracing;

namespace Decnet.Bus.Internal;

/// <summary>
/// What a transport needs to refuse an oversized publish before <see cref="BusActivities.OnPublish"/> records its
/// <c>send</c> activity: a publish the transport refuses was never sent, so it must leave no span saying it was.
/// </summary>
internal static class PublishTrace
{
    /// <summary>Whether <see cref="BusActivities.OnPublish"/> would start (and end) a <c>send</c> activity now.</summary>
    public static bool StartsActivity => Activity.Current is not null && BusActivities.Source.HasListeners();

    /// <summary>
    /// A context as long as the one <see cref="BusActivities.OnPublish"/> returns, without starting an activity: the
    /// ambient one's. A traceparent has a fixed length and a <c>send</c> activity inherits its parent's tracestate,
    /// sent only when valid (<see cref="TraceContextRules.IsValidState"/>), so a frame encoded with it is as long as
    /// the one sent.
    /// </summary>
    public static TraceContext Provisional()
        => Activity.Current is { IdFormat: ActivityIdFormat.W3C } current
            ? new TraceContext(current.Id, TraceContextRules.IsValidState(current.TraceStateString) ? current.TraceStateString : null)
            : default;
}
