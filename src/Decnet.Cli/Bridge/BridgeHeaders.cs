using System.Globalization;
using Decnet.Bus;
using NATS.Client.Core;

namespace Decnet.Cli.Bridge;

/// <summary>
/// The NATS headers a bridged event carries: which bridge sent it, how many bridges it has crossed, and who published it
/// on the exporting host (docs/cross-host.md, "Security model").
/// </summary>
internal static class BridgeHeaders
{
    public const string Origin = "Decnet-Bridge-Origin";

    public const string Hops = "Decnet-Bridge-Hops";

    /// <summary>
    /// <c>pid uid gid</c> of the local publisher, as the exporting host's kernel gave them to its broker. The claimed-
    /// publisher headers name the bridge, which is the NATS publisher; this one says whose event it forwards.
    /// </summary>
    public const string Source = "Decnet-Bridge-Source";

    public static NatsHeaders Create(string origin, int hops, PeerCredentials? source = null)
    {
        var headers = Decnet.Bus.Nats.NatsBus.NewPublisherHeaders();
        headers[Origin] = origin;
        headers[Hops] = hops.ToString(CultureInfo.InvariantCulture);
        if (source is { } publisher)
        {
            headers[Source] = string.Create(CultureInfo.InvariantCulture, $"pid={publisher.Pid} uid={publisher.Uid} gid={publisher.Gid}");
        }

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
