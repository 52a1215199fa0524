using Decnet.Cli.Tests.Support;

namespace Decnet.Cli.Tests.Bus;

/// <summary>
/// A socket that refuses this user (EACCES) is not "no broker": the line says permission was denied and how to get
/// it, and the exit is 77 (EX_NOPERM), since retrying, which 69 asks for, cannot help (docs/operations.md, exit codes).
/// </summary>
public sealed class ConnectPermissionTests
{
    [OtherUserFact]
    public async Task A_client_the_sockets_mode_refuses_is_told_permission_denied_not_unavailable()
    {
        using var socket = new TempSocket();
        // The directory searchable by all; the socket stays 0660 root:root (no group), so nobody gets EACCES.
        File.SetUnixFileMode(socket.Directory.FullName, (UnixFileMode)Convert.ToInt32("755", 8));
        await using var broker = await BrokerProcess.StartAsync(new Dictionary<string, string>(), [], "bus", "--socket", socket.Path, "--group", "");

        var (code, output) = await BusCommandTests.RunToExitAsync(new Dictionary<string, string>(), OtherUser.Launcher, "pub", "a.b", "{}", "--socket", socket.Path);

        Assert.True(code == 77, output);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"bus: permission denied connecting to {socket.Path} (", line, StringComparison.Ordinal);
        Assert.Contains("group", line, StringComparison.Ordinal);
    }

    [OtherUserFact]
    public async Task A_client_the_brokers_allow_list_refuses_is_told_permission_denied_with_the_brokers_text()
    {
        // The broker runs and admits only root (ERR 12 at the handshake): "unavailable, is it running?" and 69 would
        // send the operator to start it, and a script to retry; the broker's reason is what says what to change.
        using var socket = new TempSocket();
        File.SetUnixFileMode(socket.Directory.FullName, (UnixFileMode)Convert.ToInt32("755", 8));
        await using var broker = await BrokerProcess.StartAsync(
            new Dictionary<string, string> { ["DECNET_BUS_ALLOW_UIDS"] = "0" }, [], "bus", "--socket", socket.Path, "--group", "nogroup");

        var (code, output) = await BusCommandTests.RunToExitAsync(new Dictionary<string, string>(), OtherUser.Launcher, "pub", "a.b", "{}", "--socket", socket.Path);

        Assert.True(code == 77, output);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(
            $"bus: permission denied by the broker at {socket.Path}: uid {OtherUser.Uid} gid {OtherUser.Gid} is not allowed on this bus "
            + "(DECNET_BUS_ALLOW_UIDS / DECNET_BUS_ALLOW_GIDS)",
            line);
    }
}
