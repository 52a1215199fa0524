using Decnet.Cli.Tests.Support;

namespace Decnet.Cli.Tests.Bus;

/// <summary>
/// The default socket path as a process without a home sees it (the deploy's <c>decnet</c> user, <c>nobody</c>,
/// <c>ProtectHome=true</c>): never a shared directory another user could claim first (docs/operations.md, "Where the
/// socket is").
/// </summary>
public sealed class DefaultSocketTests
{
    private const string _missingHome = "/nonexistent-decnet-test-home";

    [WithoutRunDirectoryFact]
    public async Task Without_a_home_a_client_does_not_reach_a_broker_in_the_temp_directory()
    {

        // What another local user would do: create TMPDIR/.decnet before anyone and run a broker there.
        using var temp = new TempSocket();
        var impostor = Path.Combine(temp.Directory.FullName, ".decnet", "bus.sock");
        Directory.CreateDirectory(Path.GetDirectoryName(impostor)!);
        await using var broker = await BrokerProcess.StartAsync(impostor);

        var (code, output) = await BusCommandTests.RunToExitAsync(NoHome(temp.Directory.FullName), "pub", "decky.d1.state", "{}");

        Assert.True(code == 69, output);
        Assert.Contains("DECNET_BUS_SOCKET", output, StringComparison.Ordinal);
        Assert.DoesNotContain(temp.Directory.FullName, output, StringComparison.Ordinal);
    }

    [WithoutRunDirectoryFact]
    public async Task Without_a_home_the_broker_refuses_to_start_naming_DECNET_BUS_SOCKET()
    {
        using var temp = new TempSocket();

        var (code, output) = await BusCommandTests.RunToExitAsync(NoHome(temp.Directory.FullName), "bus");

        Assert.True(code == 78, output);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("no socket path", line, StringComparison.Ordinal);
        Assert.Contains("DECNET_BUS_SOCKET", line, StringComparison.Ordinal);
        Assert.Empty(temp.Directory.GetFileSystemInfos());
    }

    [WithoutRunDirectoryFact]
    public async Task A_socket_directory_the_broker_cannot_create_is_a_startup_error_naming_it()
    {
        using var temp = new TempSocket();
        var home = temp.Directory.FullName;
        await File.WriteAllTextAsync(Path.Combine(home, ".decnet"), "a file where the directory would go");
        var environment = NoHome(home);
        environment["HOME"] = home;

        var (code, output) = await BusCommandTests.RunToExitAsync(environment, "bus");

        // 70 "internal error (IOException)" before: the same failure as a missing directory, so the same exit.
        Assert.True(code == 78, output);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"bus: cannot create directory {Path.Combine(home, ".decnet")}: ", line, StringComparison.Ordinal);
    }

    /// <summary>HOME that does not exist, no XDG_RUNTIME_DIR, and <paramref name="temp"/> as the temp directory.</summary>
    private static Dictionary<string, string> NoHome(string temp) => new()
    {
        ["HOME"] = _missingHome,
        ["XDG_RUNTIME_DIR"] = string.Empty,
        ["TMPDIR"] = temp,
    };
}
