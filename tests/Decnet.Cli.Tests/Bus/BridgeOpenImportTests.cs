using System.Runtime.InteropServices;
using Decnet.Cli.Tests.Support;

namespace Decnet.Cli.Tests.Bus;

/// <summary>
/// <c>decnet bridge --import</c> with a pattern not confined to other hosts' prefixes (its first token a wildcard, or
/// one of the families a DECNET host acts on) lets any NATS publisher put the topics it matches on this host's bus as
/// they are, <c>decky.*.mutate_request</c> among them when the pattern matches it (docs/cross-host.md): the bridge
/// still starts (a test rig may want it) but says so once at start.
/// </summary>
public sealed partial class BridgeOpenImportTests
{
    private const string _warned = "is not confined to other hosts' prefixes";
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(">", true)]
    [InlineData("decky.>", true)]
    [InlineData("*.*.mutate_request", true)]
    [InlineData("decky.decky-01.>", true)]
    [InlineData("*.decky-01.mutate_request", true)]
    [InlineData("*.x", false)]
    [InlineData("attacker.>", false)]
    [InlineData("decky.*.state", false)]
    [InlineData("system.>", false)]
    public async Task An_import_pattern_not_under_a_hosts_prefix_is_warned_about_at_start(string pattern, bool mutations)
    {
        var error = await RunUntilStartedAsync(pattern);

        var warning = Assert.Single(error, line => line.Contains(_warned, StringComparison.Ordinal));
        Assert.Contains($"--import '{pattern}'", warning, StringComparison.Ordinal);
        Assert.Equal(mutations, warning.Contains("decky.*.mutate_request", StringComparison.Ordinal));
        Assert.Contains("'host.>'", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_running_line_shows_a_nats_url_with_control_characters_escaped()
    {
        // A URL from --nats or DECNET_BUS_NATS_URL may carry an ESC in its query: it must not reach the terminal.
        var error = await RunUntilStartedAsync("host.>", "nats://127.0.0.1:1/?\u001b[31mRED");

        var running = Assert.Single(error, line => line.Contains(" running between ", StringComparison.Ordinal));
        Assert.DoesNotContain('\u001b', running);
        Assert.Contains("RED", running, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("host.>")]
    [InlineData("host.b.decky.>")]
    public async Task An_import_of_another_hosts_prefix_is_not_warned_about(string pattern)
    {
        var error = await RunUntilStartedAsync(pattern);

        Assert.DoesNotContain(error, line => line.Contains(_warned, StringComparison.Ordinal));
    }

    /// <summary>
    /// Runs the bridge (both sides down) until it says it is running, stops it with SIGTERM and returns all of its
    /// stderr: the log is flushed at exit, so a warning logged at start is in it whatever its queue's timing.
    /// </summary>
    private static async Task<string[]> RunUntilStartedAsync(string pattern, string nats = "nats://127.0.0.1:1")
    {
        using var dir = new TempSocket();
        using var bridge = BrokerProcess.StartCli(
            "bridge", "--import", pattern, "--nats", nats, "--log-interval", "0", "--socket", dir.Path);
        var output = bridge.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(_bound);
        var lines = new List<string>();
        try
        {
            string? line;
            while ((line = await bridge.StandardError.ReadLineAsync(timeout.Token)) is not null)
            {
                lines.Add(line);
                if (line.Contains(" running between ", StringComparison.Ordinal))
                {
                    Assert.Equal(0, Kill(bridge.Id, 15));
                    break;
                }
            }

            lines.AddRange(CliRun.Lines(await bridge.StandardError.ReadToEndAsync(timeout.Token)));
            await bridge.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!bridge.HasExited)
            {
                bridge.Kill();
            }
        }

        Assert.True(bridge.ExitCode == 0, $"exit {bridge.ExitCode}\n{string.Join('\n', lines)}");
        Assert.Empty(await output);
        return [.. lines];
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
