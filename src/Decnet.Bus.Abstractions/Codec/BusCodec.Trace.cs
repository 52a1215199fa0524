using Decnet.Bus.Tracing;
using MessagePack;

namespace Decnet.Bus.Codec;

public static partial class BusCodec
{
    /// <summary>The optional envelope field <c>trace</c>: <c>{traceparent: str, tracestate: str}</c> (docs/wire-protocol.md).</summary>
    internal const string TraceKey = "trace";

    private const string _traceParentKey = "traceparent";
    private const string _traceStateKey = "tracestate";

    /// <summary>Writes the <c>trace</c> map (the value only, not its key).</summary>
    internal static void WriteTrace(ref MessagePackWriter writer, TraceContext trace)
    {
        writer.WriteMapHeader(trace.State is null ? 1 : 2);
        writer.Write(_traceParentKey);
        writer.Write(trace.Parent);
        if (trace.State is not null)
        {
            writer.Write(_traceStateKey);
            writer.Write(trace.State);
        }
    }

    /// <summary>
    /// Reads a <c>trace</c> value from untrusted bytes. Tracing is optional, so a value that is not a valid W3C trace
    /// context is skipped and the event still delivered: <paramref name="trace"/> is then empty. Returns an error only
    /// when the value cannot be skipped (nested deeper than <see cref="MaxPayloadDepth"/>).
    /// </summary>
    internal static string? ReadTrace(ref MessagePackReader reader, out TraceContext trace)
    {
        trace = default;
        if (reader.NextMessagePackType != MessagePackType.Map)
        {
            return SkipBounded(ref reader, 0);
        }

        string? parent = null, state = null;
        var count = reader.ReadMapHeader();
        for (var i = 0; i < count; i++)
        {
            var key = reader.NextMessagePackType == MessagePackType.String ? reader.ReadString() : null;
            if (key is null && SkipBounded(ref reader, 1) is { } keyError)
            {
                return keyError;
            }

            if (key is _traceParentKey or _traceStateKey && reader.NextMessagePackType == MessagePackType.String)
            {
                var value = reader.ReadString();
                (parent, state) = key == _traceParentKey ? (value, state) : (parent, value);
            }
            else if (SkipBounded(ref reader, 1) is { } valueError)
            {
                return valueError;
            }
        }

        trace = ValidTrace(parent, state);
        return null;
    }

    /// <summary>
    /// The context when <paramref name="parent"/> is a valid W3C traceparent
    /// (<see cref="TraceContextRules.IsValidParent"/>, separators included); <paramref name="state"/> is kept only
    /// when <see cref="TraceContextRules.IsValidState"/>.
    /// </summary>
    internal static TraceContext ValidTrace(string? parent, string? state)
        => TraceContextRules.IsValidParent(parent)
            ? new TraceContext(parent, TraceContextRules.IsValidState(state) ? state : null)
            : default;
}
