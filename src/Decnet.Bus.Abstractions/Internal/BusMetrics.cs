using System.Diagnostics.Metrics;

namespace Decnet.Bus.Internal;

/// <summary>The <c>Decnet.Bus</c> meter and its instruments, shared by every transport in the process.</summary>
internal static class BusMetrics
{
    public const string MeterName = "Decnet.Bus";

    public static readonly Meter Meter = new(MeterName, "1.0");

    public static readonly Counter<long> Published = Meter.CreateCounter<long>("decnet.bus.published", "{event}", "Events accepted for publishing.");

    public static readonly Counter<long> Delivered = Meter.CreateCounter<long>("decnet.bus.delivered", "{event}", "Events placed into a subscription or connection queue.");

    public static readonly Counter<long> Dropped = Meter.CreateCounter<long>("decnet.bus.dropped", "{event}", "Events lost to a full queue or an unavailable transport.");

    public static readonly Counter<long> BrokersRefused = Meter.CreateCounter<long>("decnet.bus.brokers_refused", "{connection}", "Connections a client dropped because the broker's uid was not one it trusts.");
}
