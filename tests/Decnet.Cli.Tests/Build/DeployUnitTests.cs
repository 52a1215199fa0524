using Decnet.Testing;

namespace Decnet.Cli.Tests.Build;

/// <summary>
/// The shipped bridge unit gives the bridge an identity of its own. The broker's ACL sees a peer's primary gid
/// (deploy/bus-acl.example grants the decnet group mutation topics), and everything the bridge imports from other
/// hosts is published under the bridge's identity: run as decnet:decnet, any NATS participant able to reach an imported
/// subject drove mutations on this host with the decnet group's rights (docs/cross-host.md, "Security model").
/// </summary>
public sealed class DeployUnitTests
{
    [Fact]
    public void The_bridge_runs_outside_the_bus_group_and_reaches_the_socket_through_a_supplementary_group()
    {
        var bus = Unit("decnet-bus.service");
        var bridge = Unit("decnet-bridge.service");

        Assert.NotEqual(bus["User"], bridge["User"]);
        Assert.NotEqual(bus["Group"], bridge["Group"]);
        Assert.Equal(bus["Group"], bridge["SupplementaryGroups"]);
    }

    [Fact]
    public void The_bridge_unit_requires_a_prefix()
    {
        var bridge = Unit("decnet-bridge.service");

        // Without one, other hosts' events land on this host's own topics (and their heartbeats on its health topic),
        // and NATS permissions cannot confine a host to a prefix of its own.
        Assert.Contains("${DECNET_BRIDGE_PREFIX:?", bridge["ExecStart"].Replace("$$", "$", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.False(bridge.ContainsKey("Environment=DECNET_BRIDGE_PREFIX"), "an empty default would hide a missing prefix");
    }

    [Fact]
    public void The_bridge_unit_imports_only_topics_under_a_host_prefix_by_default()
    {
        var exec = Unit("decnet-bridge.service")["ExecStart"].Replace("$$", "$", StringComparison.Ordinal);

        // Imports are published locally as they are: importing '>' let any NATS participant publish an unprefixed
        // decky.*.mutate_request onto this host's bus (the identity above only helps where an ACL file is set).
        Assert.Contains("--import \"${DECNET_BRIDGE_IMPORT:-host.>}\"", exec, StringComparison.Ordinal);
    }

    /// <summary>The unit's Key=Value lines (the last of a repeated key wins, as for systemd's single-valued keys).</summary>
    private static Dictionary<string, string> Unit(string name)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(Path.Combine(RepositoryRoot.Find(), "deploy", name)))
        {
            var text = line.Trim();
            if (text.Length == 0 || text[0] is '#' or ';' or '[' || text.IndexOf('=', StringComparison.Ordinal) is not (> 0 and var at))
            {
                continue;
            }

            var key = text[..at];
            var value = text[(at + 1)..];
            if (key == "Environment")
            {
                // Environment=NAME=VALUE: kept under its variable, so a test can see which defaults the unit sets.
                key = "Environment=" + value.Split('=')[0];
            }

            values[key] = value;
        }

        return values;
    }
}
