using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Decnet.Bus;

/// <summary>
/// Binds <see cref="DecnetBusOptions"/>: first the <c>DecnetBus</c> configuration section, then each
/// <c>DECNET_BUS_*</c> variable from the configuration root (where <c>AddEnvironmentVariables()</c> puts it) or,
/// when the configuration lacks it, from <see cref="DecnetBusEnvironment"/>. Unparsable values never throw here:
/// they are recorded and reported by <see cref="DecnetBusOptionsValidator"/> at host start, so the message can name
/// every bad variable at once.
/// </summary>
internal sealed partial class DecnetBusOptionsSetup(IServiceProvider services) : IConfigureOptions<DecnetBusOptions>
{
    private static readonly string _booleans = "use true or false (also 1/0, yes/no, on/off)";

    private static readonly Setting[] _settings =
    [
        new(DecnetBusVariables.Enabled, "Enabled", (o, v) => ParseBool(v, b => o.Enabled = b)),
        new(DecnetBusVariables.Type, "Type", (o, v) => Set(() => o.Type = v.Trim())),
        new(DecnetBusVariables.Socket, "SocketPath", (o, v) => Set(() => o.SocketPath = v)),
        new(DecnetBusVariables.Group, "Group", (o, v) => Set(() => o.Group = v)),
        new(DecnetBusVariables.QueueSize, "QueueSize", (o, v) => ParseInt(v, i => o.QueueSize = i)),
        new(DecnetBusVariables.Echo, "Echo", (o, v) => ParseBool(v, b => o.Echo = b)),
        new(DecnetBusVariables.HeartbeatSeconds, "HeartbeatSeconds", (o, v) => ParseSeconds(v, t => o.HeartbeatInterval = t)),
        new(DecnetBusVariables.KeepaliveSeconds, "KeepaliveSeconds", (o, v) => ParseSeconds(v, t => o.KeepaliveInterval = t)),
        new(DecnetBusVariables.ClientName, "ClientName", (o, v) => Set(() => o.ClientName = v)),
        new(DecnetBusVariables.ReconnectMinMs, "ReconnectMinMs", (o, v) => ParseInt(v, i => o.ReconnectMinDelay = TimeSpan.FromMilliseconds(i))),
        new(DecnetBusVariables.ReconnectMaxMs, "ReconnectMaxMs", (o, v) => ParseInt(v, i => o.ReconnectMaxDelay = TimeSpan.FromMilliseconds(i))),
        new(DecnetBusVariables.MaxFrameBytes, "MaxFrameBytes", (o, v) => ParseInt(v, i => o.MaxFrameBytes = i)),
        new(DecnetBusVariables.MaxTopicBytes, "MaxTopicBytes", (o, v) => ParseInt(v, i => o.MaxTopicBytes = i)),
        new(DecnetBusVariables.MaxSubscriptions, "MaxSubscriptions", (o, v) => ParseInt(v, i => o.MaxSubscriptionsPerConnection = i)),
        new(DecnetBusVariables.MaxConnections, "MaxConnections", (o, v) => ParseInt(v, i => o.MaxConnections = i)),
        new(DecnetBusVariables.MaxConnectionsPerUid, "MaxConnectionsPerUid", (o, v) => ParseInt(v, i => o.MaxConnectionsPerUid = i)),
        new(DecnetBusVariables.MaxHandshaking, "MaxHandshaking", (o, v) => ParseInt(v, i => o.MaxHandshakingConnections = i)),
        new(DecnetBusVariables.MaxTotalQueueBytes, "MaxTotalQueueBytes", (o, v) => ParseLong(v, l => o.MaxTotalQueueBytes = l)),
        new(DecnetBusVariables.MaxPatternTokens, "MaxPatternTokens", (o, v) => ParseInt(v, i => o.MaxPatternTokens = i)),
        new(DecnetBusVariables.MaxQueueBytes, "MaxQueueBytes", (o, v) => ParseInt(v, i => o.MaxQueueBytes = i)),
        new(DecnetBusVariables.HandshakeTimeoutSeconds, "HandshakeTimeoutSeconds", (o, v) => ParseSeconds(v, t => o.HandshakeTimeout = t)),
        new(DecnetBusVariables.IdleTimeoutSeconds, "IdleTimeoutSeconds", (o, v) => ParseSeconds(v, t => o.IdleTimeout = t)),
        new(DecnetBusVariables.StallTimeoutSeconds, "StallTimeoutSeconds", (o, v) => ParseSeconds(v, t => o.StallTimeout = t)),
        new(DecnetBusVariables.AllowUids, "AllowUids", (o, v) => ParseIds(v, o.AllowUids)),
        new(DecnetBusVariables.AllowGids, "AllowGids", (o, v) => ParseIds(v, o.AllowGids)),
        new(DecnetBusVariables.AclFile, "AclFile", (o, v) => Set(() => o.AclFile = v.Trim())),
        new(DecnetBusVariables.BrokerUid, "BrokerUid", (o, v) => ParseUid(v, u => o.BrokerUid = u)),
        .. NatsSettings(),
    ];

    public void Configure(DecnetBusOptions options)
    {
        var configuration = services.GetService<IConfiguration>();
        var environment = services.GetService<DecnetBusEnvironment>() ?? DecnetBusEnvironment.Process;
        var section = configuration?.GetSection(DecnetBusOptions.SectionName);

        foreach (var setting in _settings)
        {
            if (section?[setting.SectionKey] is { } fromSection)
            {
                Apply(options, setting, $"{DecnetBusOptions.SectionName}:{setting.SectionKey}", fromSection);
            }

            if ((configuration?[setting.Variable] ?? environment.Get(setting.Variable)) is { } fromVariable)
            {
                Apply(options, setting, setting.Variable, fromVariable);
            }
        }
    }

    private static void Apply(DecnetBusOptions options, Setting setting, string source, string value)
    {
        if (setting.Apply(options, value) is { } problem)
        {
            options.BindingErrors.Add($"{source}='{Topics.Printable(value)}' {problem}");
        }
    }

    private static string? Set(Action assign)
    {
        assign();
        return null;
    }

    private static string? ParseBool(string value, Action<bool> assign)
    {
        bool? parsed = value.Trim().ToUpperInvariant() switch
        {
            "TRUE" or "1" or "YES" or "ON" => true,
            "FALSE" or "0" or "NO" or "OFF" => false,
            _ => null,
        };
        if (parsed is null)
        {
            return $"is not a boolean; {_booleans}";
        }

        assign(parsed.Value);
        return null;
    }

    private static string? ParseInt(string value, Action<int> assign)
    {
        if (!int.TryParse(value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
        {
            return $"is not an integer; use a whole number such as {1024}";
        }

        assign(parsed);
        return null;
    }

    private static string? ParseLong(string value, Action<long> assign)
    {
        if (!long.TryParse(value.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
        {
            return $"is not an integer; use a whole number such as {268435456}";
        }

        assign(parsed);
        return null;
    }

    private static string? ParseIds(string value, IList<int> target)
    {
        var ids = new List<int>();
        foreach (var part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                return $"is not a list of numeric ids; use e.g. 0,1000 (empty admits anyone)";
            }

            ids.Add(id);
        }

        target.Clear();
        foreach (var id in ids)
        {
            target.Add(id);
        }

        return null;
    }

    private static string? ParseUid(string value, Action<int?> assign)
    {
        var trimmed = value.Trim();
        if (trimmed.Length == 0)
        {
            assign(null);
            return null;
        }

        if (!int.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var uid))
        {
            return "is not a numeric uid; use e.g. 998 (empty for none)";
        }

        assign(uid);
        return null;
    }

    private static string? ParseSeconds(string value, Action<TimeSpan> assign)
    {
        if (!double.TryParse(value.Trim(), NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds)
            || !double.IsFinite(seconds))
        {
            return "is not a number of seconds; use e.g. 5 or 0.5 (0 disables)";
        }

        if (seconds is < 0 or > DecnetBusOptionsValidator.MaxHeartbeatSeconds)
        {
            return $"is out of range; use 0 to {DecnetBusOptionsValidator.MaxHeartbeatSeconds} seconds (0 disables)";
        }

        assign(TimeSpan.FromSeconds(seconds));
        return null;
    }

    private sealed record Setting(string Variable, string SectionKey, Func<DecnetBusOptions, string, string?> Apply);
}
