namespace Decnet.Bus.Tracing;

/// <summary>
/// The W3C trace context one event carries (docs/wire-protocol.md, "trace"): <c>traceparent</c> and, when the
/// publishing activity had one, <c>tracestate</c>. <see cref="IsEmpty"/> when the publish was made outside any activity.
/// </summary>
internal readonly record struct TraceContext(string? Parent, string? State)
{
    public bool IsEmpty => Parent is null;
}
