using System.Globalization;
using NATS.Client.Core;

namespace Decnet.Cli.Bridge;

/// <summary>The NATS headers a bridged event carries: which bridge sent it and how many bridges it has crossed.</summary>
internal static class BridgeHeaders
{
    public const string Origin = "Decnet-Bridge-Origin";

    public const string Hops = "Decnet-Bridge-Hops";

    public static NatsHeaders Create(string origin, int hops)
    {
        var headers = Decnet.Bus.Nats.NatsBus.NewPublisherHeaders();
        headers[Origin] = origin;
        headers[Hops] = hops.ToString(CultureInfo.InvariantCulture);
        return headers;
    }

    /// <summary>The hop count; a message without a readable one is treated as from a plain NATS publisher (0 hops).</summary>
    public static int ReadHops(NatsHeaders? headers)
        => headers is not null
           && headers.TryGetValue(Hops, out var value)
           && int.TryParse(value.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var hops)
            ? hops
            : 0;

    public static string? ReadOrigin(NatsHeaders? headers)
        => headers is not null && headers.TryGetValue(Origin, out var value) ? value.ToString() : null;
}
