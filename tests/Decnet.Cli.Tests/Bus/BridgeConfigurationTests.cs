using Decnet.Cli.Tests.Support;

namespace Decnet.Cli.Tests.Bus;

/// <summary>
/// <c>decnet bridge</c> with bad <c>DECNET_BUS_NATS_*</c> values: exit 78 and one line naming the variable, before
/// anything connects (docs/cross-host.md, "decnet bridge"); secrets never in the line.
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

        Assert.True(run.ExitCode == 78, run.ToString());
        Assert.Contains("nats://***@nats:4222", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("ssw0rd", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("DECNET_BUS_NATS_CREDS")]
    [InlineData("DECNET_BUS_NATS_TLS_CA")]
    public async Task A_missing_nats_file_stops_the_bridge_with_exit_78_naming_the_variable(string variable)
    {
        using var dir = new TempSocket();
        var absent = Path.Combine(dir.Directory.FullName, "absent.file");

        // A child process: the variable must not leak into the other tests of this process.
        using var bridge = BrokerProcess.StartCli(
            new Dictionary<string, string> { [variable] = absent },
            "bridge", "--export", ">", "--nats", "nats://127.0.0.1:1", "--socket", dir.Path);
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

        Assert.True(bridge.ExitCode == 78, $"exit {bridge.ExitCode}\n{await error}");
        Assert.Empty(await output);
        var line = Assert.Single((await error).TrimEnd('\n').Split('\n'));
        Assert.Contains($"{variable}='{absent}' does not exist", line, StringComparison.Ordinal);
    }
}
