using Decnet.Cli.Tests.Support;

namespace Decnet.Cli.Tests.Bus;

/// <summary>
/// <c>decnet bridge</c> with bad <c>DECNET_BUS_NATS_*</c> values: exit 78 and one line naming the variable (a bad
/// flag: exit 2 naming the flag), before anything connects (docs/cross-host.md, "decnet bridge"); secrets never in the
/// line.
/// </summary>
public sealed class BridgeConfigurationTests
{
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("nats://bob:p@ssw0rd@nats:4222")]
    [InlineData("nats://bob:p/ssw0rd@nats:4222")]
    [InlineData("nats://bob:p#ssw0rd@nats:4222")]
    public async Task A_url_whose_password_holds_a_delimiter_is_refused_without_showing_any_of_the_password(string url)
    {
        using var missing = new TempSocket();

        var run = await CliRun.InvokeAsync(["bridge", "--export", ">", "--nats", url, "--socket", missing.Path]);

        // A bad flag is a usage error naming the flag (docs/cross-host.md); this asserted 78 and DECNET_BUS_NATS_URL.
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.StartsWith("error: --nats 'nats://***@nats:4222' ", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("ssw0rd", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_nats_url_variable_of_another_scheme_stops_the_bridge_with_exit_78_naming_the_variable()
    {
        using var missing = new TempSocket();
        using var bridge = BrokerProcess.StartCli(
            new Dictionary<string, string> { ["DECNET_BUS_NATS_URL"] = "http://x:4222" },
            "bridge", "--export", ">", "--socket", missing.Path);
        var error = bridge.StandardError.ReadToEndAsync();
        await bridge.WaitForExitAsync().WaitAsync(_bound);

        Assert.True(bridge.ExitCode == 78, $"exit {bridge.ExitCode}\n{await error}");
        Assert.StartsWith("bridge: DECNET_BUS_NATS_URL='http://x:4222' has scheme 'http'", await error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_nats_flag_of_another_scheme_is_a_usage_error_naming_the_flag()
    {
        using var missing = new TempSocket();

        var run = await CliRun.InvokeAsync(["bridge", "--export", ">", "--nats", "http://x:4222", "--socket", missing.Path]);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.StartsWith("error: --nats 'http://x:4222' has scheme 'http'", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_socket_flag_of_the_bridge_is_a_usage_error_naming_the_flag()
    {
        var run = await CliRun.InvokeAsync(["bridge", "--export", ">", "--nats", "nats://127.0.0.1:1", "--socket", ""]);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.StartsWith("error: --socket '' is empty", run.Error, StringComparison.Ordinal);
    }

    [OtherUserFact]
    public async Task A_nats_file_behind_a_directory_the_user_may_not_search_is_refused_as_unreadable_not_as_missing()
    {
        // The file is there; only this user cannot reach it. "does not exist" would send its operator looking for a
        // file that is in place.
        using var dir = new TempSocket();
        var locked = Directory.CreateDirectory(Path.Combine(dir.Directory.FullName, "locked"));
        File.SetUnixFileMode(dir.Directory.FullName, (UnixFileMode)Convert.ToInt32("755", 8));
        File.SetUnixFileMode(locked.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var creds = Path.Combine(locked.FullName, "bridge.creds");
        await File.WriteAllTextAsync(creds, "not read");
        File.SetUnixFileMode(creds, (UnixFileMode)Convert.ToInt32("644", 8));

        var (code, error) = await RunBridgeAsync(new Dictionary<string, string> { ["DECNET_BUS_NATS_CREDS"] = creds }, OtherUser.Launcher, dir.Path);

        Assert.True(code == 78, $"exit {code}\n{error}");
        var line = Assert.Single(error.TrimEnd('\n').Split('\n'));
        Assert.Contains($"DECNET_BUS_NATS_CREDS='{creds}' cannot be read (Permission denied)", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("DECNET_BUS_NATS_CREDS")]
    [InlineData("DECNET_BUS_NATS_TLS_CA")]
    public async Task A_missing_nats_file_stops_the_bridge_with_exit_78_naming_the_variable(string variable)
    {
        using var dir = new TempSocket();
        var absent = Path.Combine(dir.Directory.FullName, "absent.file");

        // A child process: the variable must not leak into the other tests of this process.
        var (code, error) = await RunBridgeAsync(new Dictionary<string, string> { [variable] = absent }, [], dir.Path);

        Assert.True(code == 78, $"exit {code}\n{error}");
        var line = Assert.Single(error.TrimEnd('\n').Split('\n'));
        Assert.Contains($"{variable}='{absent}' does not exist", line, StringComparison.Ordinal);
    }

    /// <summary>
    /// A terminal named as a NATS file is refused at start: the NATS client would read it with .NET's opens (no
    /// O_NOCTTY) at connect, where a session leader without a controlling terminal (the bridge's systemd unit, made
    /// here by setsid(1)) would take it as its own, and the read would wait for someone to type. The start-up check
    /// opens it with O_NOCTTY, so the refusal itself leaves the bridge without one.
    /// </summary>
    [Fact]
    public async Task A_nats_file_that_is_a_terminal_stops_the_bridge_with_exit_78_naming_the_variable_and_the_path()
    {
        using var dir = new TempSocket();
        using var terminal = Pseudoterminal.Open();

        var (code, error) = await RunBridgeAsync(new Dictionary<string, string> { ["DECNET_BUS_NATS_CREDS"] = terminal.SlavePath }, ["setsid", "--wait"], dir.Path);

        Assert.True(code == 78, $"exit {code}\n{error}");
        var line = Assert.Single(error.TrimEnd('\n').Split('\n'));
        Assert.Contains($"DECNET_BUS_NATS_CREDS='{terminal.SlavePath}' is a character device, not a regular file", line, StringComparison.Ordinal);
    }

    /// <summary>
    /// Runs <c>decnet bridge</c> as <paramref name="launcher"/> starts it, with only <paramref name="environment"/>;
    /// its exit code and stderr (stdout must stay empty).
    /// </summary>
    private static async Task<(int ExitCode, string Error)> RunBridgeAsync(Dictionary<string, string> environment, IReadOnlyList<string> launcher, string socket)
    {
        using var bridge = BrokerProcess.StartCli(environment, launcher, "bridge", "--export", ">", "--nats", "nats://127.0.0.1:1", "--socket", socket);
        var error = bridge.StandardError.ReadToEndAsync();
        var output = bridge.StandardOutput.ReadToEndAsync();
        try
        {
            await bridge.WaitForExitAsync().WaitAsync(_bound);
        }
        finally
        {
            if (!bridge.HasExited)
            {
                bridge.Kill();
            }
        }

        Assert.Empty(await output);
        return (bridge.ExitCode, await error);
    }
}
