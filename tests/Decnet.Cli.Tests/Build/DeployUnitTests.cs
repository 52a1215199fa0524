using System.Diagnostics;
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

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task The_bridge_unit_requires_a_prefix_and_stops_with_one_line_and_exit_78_without_one(string? prefix)
    {
        var bridge = Unit("decnet-bridge.service");

        // Without one, other hosts' events land on this host's own topics (and their heartbeats on its health topic),
        // and NATS permissions cannot confine a host to a prefix of its own. Exit 78, like any configuration error of
        // the bridge's own, so RestartPreventExitStatus stops the start at once instead of retrying it.
        var run = await RunBridgeExecStartAsync(noSource: null, prefix: prefix);

        Assert.Equal(78, run.ExitCode);
        Assert.Empty(run.Arguments);
        var line = Assert.Single(run.Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("DECNET_BRIDGE_PREFIX", line, StringComparison.Ordinal);
        Assert.False(bridge.ContainsKey("Environment=DECNET_BRIDGE_PREFIX"), "an empty default would hide a missing prefix");
    }

    [Theory]
    [InlineData("decnet-bus.service", 78)]
    [InlineData("decnet-bridge.service", 78)]
    [InlineData("decnet-bus.service", 2)]
    [InlineData("decnet-bridge.service", 2)]
    public void A_configuration_or_usage_error_stops_the_unit_instead_of_restarting_it_every_second(string name, int exitCode)
    {
        // Both commands exit 78 (EX_CONFIG) for a bad setting and 2 for a bad argument (which a unit's settings become,
        // e.g. the bridge's prefix); Restart=always would otherwise repeat the same error line until systemd's start
        // limit, burying it among the retries. Neither is mended by trying again.
        var unit = Unit(name);

        Assert.Equal("always", unit["Restart"]);
        Assert.Contains(exitCode.ToString(System.Globalization.CultureInfo.InvariantCulture), unit["RestartPreventExitStatus"].Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("host a", null)]
    [InlineData("host.a", "host.> site.>")]
    public async Task A_bad_prefix_or_import_from_the_environment_file_stops_the_bridge_unit(string prefix, string? import)
    {
        // The unit passes DECNET_BRIDGE_PREFIX and DECNET_BRIDGE_IMPORT to decnet bridge as one argument each, and
        // decnet bridge refuses a bad one as bad usage (exit 2; the stub stands in for it): the unit's exit status
        // must be one that stops the restarts.
        var run = await RunBridgeExecStartAsync(noSource: null, prefix: prefix, import: import, decnetExit: 2);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(import ?? "host.>", run.Arguments);
        Assert.Contains(prefix, run.Arguments);
        Assert.Contains("2", Unit("decnet-bridge.service")["RestartPreventExitStatus"].Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void The_bridge_unit_imports_only_topics_under_a_host_prefix_by_default()
    {
        var exec = Unit("decnet-bridge.service")["ExecStart"].Replace("$$", "$", StringComparison.Ordinal);

        // Imports are published locally as they are: importing '>' let any NATS participant publish an unprefixed
        // decky.*.mutate_request onto this host's bus (the identity above only helps where an ACL file is set).
        Assert.Contains("--import \"${DECNET_BRIDGE_IMPORT:-host.>}\"", exec, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("0", false)]
    [InlineData("1", true)]
    public async Task The_bridge_unit_passes_no_source_only_when_DECNET_BRIDGE_NO_SOURCE_is_1(string? value, bool noSource)
    {
        var run = await RunBridgeExecStartAsync(value);

        // The rest of the command line stays as it was; only the flag comes and goes.
        Assert.True(run.ExitCode == 0, $"sh exited {run.ExitCode}: {run.Errors}");
        string[] expected = ["bridge", "--export", "decky.>", "attacker.>", "topology.>", "--import", "host.>", "--prefix", "host.a"];
        Assert.Equal(noSource ? [.. expected, "--no-source"] : expected, run.Arguments);
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("true")]
    [InlineData(" 1")]
    public async Task The_bridge_unit_refuses_any_other_DECNET_BRIDGE_NO_SOURCE_with_one_line_naming_it(string value)
    {
        // A value read as "off" would send the pids and uids its user meant to keep off NATS: refused, not guessed.
        var run = await RunBridgeExecStartAsync(value);

        Assert.Equal(78, run.ExitCode);
        Assert.Empty(run.Arguments);
        var line = Assert.Single(run.Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("DECNET_BRIDGE_NO_SOURCE", line, StringComparison.Ordinal);
    }

    /// <summary>
    /// Runs the shell command of the bridge unit's ExecStart (with <c>$$</c> as systemd passes it, <c>$</c>) with
    /// <c>decnet</c> replaced by a stub that prints its arguments, one a line; what the stub printed and sh's errors.
    /// </summary>
    private static async Task<(int ExitCode, string[] Arguments, string Errors)> RunBridgeExecStartAsync(string? noSource, string? prefix = "host.a", string? import = null, int decnetExit = 0)
    {
        const string shell = "/bin/sh -c '";
        var exec = Unit("decnet-bridge.service")["ExecStart"];
        Assert.StartsWith(shell, exec, StringComparison.Ordinal);
        Assert.EndsWith("'", exec, StringComparison.Ordinal);
        var script = exec[shell.Length..^1].Replace("$$", "$", StringComparison.Ordinal);
        Assert.DoesNotContain('\'', script);
        Assert.DoesNotContain('\\', script);

        var directory = Directory.CreateTempSubdirectory("decnet-unit-");
        try
        {
            var stub = Path.Combine(directory.FullName, "decnet");
            await File.WriteAllTextAsync(stub, $"#!/bin/sh\nprintf '%s\\n' \"$@\"\nexit {decnetExit}\n");
            File.SetUnixFileMode(stub, UnixFileMode.UserRead | UnixFileMode.UserExecute);
            Assert.Contains("/usr/local/bin/decnet ", script, StringComparison.Ordinal);

            var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(script.Replace("/usr/local/bin/decnet ", stub + " ", StringComparison.Ordinal));
            foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("DECNET_", StringComparison.Ordinal)).ToList())
            {
                start.Environment.Remove(name);
            }

            if (prefix is not null)
            {
                start.Environment["DECNET_BRIDGE_PREFIX"] = prefix;
            }
            if (noSource is not null)
            {
                start.Environment["DECNET_BRIDGE_NO_SOURCE"] = noSource;
            }

            if (import is not null)
            {
                start.Environment["DECNET_BRIDGE_IMPORT"] = import;
            }

            using var process = Process.Start(start)!;
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var output = process.StandardOutput.ReadToEndAsync(bound.Token);
            var errors = process.StandardError.ReadToEndAsync(bound.Token);
            await process.WaitForExitAsync(bound.Token);
            return (process.ExitCode, (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries), await errors);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
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
