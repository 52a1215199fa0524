namespace Decnet.Bus.Tracing;

/// <summary>
/// Names for observing the bus with <see cref="System.Diagnostics.ActivitySource"/> listeners such as OpenTelemetry
/// (docs/dotnet-hosts.md, "Tracing"): <c>AddSource(BusTracing.ActivitySourceName)</c>.
/// </summary>
public static class BusTracing
{
    /// <summary>
    /// The name of the activity source every transport uses: a <c>send</c> producer activity per publish made inside
    /// an activity, a <c>receive</c> consumer activity per delivery of an event that carries a trace context.
    /// </summary>
    public const string ActivitySourceName = "Decnet.Bus";
}
