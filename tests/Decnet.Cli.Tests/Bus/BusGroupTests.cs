using Decnet.Cli.Tests.Support;

namespace Decnet.Cli.Tests.Bus;

/// <summary>
/// Issue 12, item 2: a configured group that does not exist, or a chown that fails, stops <c>decnet bus</c> with exit
/// 78 and one line; the built-in default group missing on a developer machine is quiet.
/// </summary>
public sealed class BusGroupTests
{
    private const string _noSuchGroup = "no-such-group-decnet-test";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_configured_group_that_does_not_exist_is_fatal(bool byFlag)
    {
        using var socket = new TempSocket();
        var environment = byFlag ? new Dictionary<string, string>() : new Dictionary<string, string> { ["DECNET_BUS_GROUP"] = _noSuchGroup };
        string[] args = byFlag ? ["bus", "--socket", socket.Path, "--group", _noSuchGroup] : ["bus", "--socket", socket.Path];

        var (code, output) = await BusCommandTests.RunToExitAsync(environment, args);

        Assert.True(code == 78, output);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"group '{_noSuchGroup}' does not exist", line, StringComparison.Ordinal);
        Assert.False(File.Exists(socket.Path));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_default_group_named_explicitly_is_required(bool byFlag)
    {
        // Writing back the default is not a setting (the reflection binder does it for every property); naming
        // "decnet" by flag or variable is one, and must fail the start where the group is missing.
        Assert.False(File.ReadLines("/etc/group").Any(l => l.StartsWith("decnet:", StringComparison.Ordinal)), "this test needs a host without the group 'decnet'");
        using var socket = new TempSocket();
        var environment = byFlag ? new Dictionary<string, string>() : new Dictionary<string, string> { ["DECNET_BUS_GROUP"] = "decnet" };
        string[] args = byFlag ? ["bus", "--socket", socket.Path, "--group", "decnet"] : ["bus", "--socket", socket.Path];

        var (code, output) = await BusCommandTests.RunToExitAsync(environment, args);

        Assert.True(code == 78, output);
        Assert.Contains("group 'decnet' does not exist", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_default_group_missing_is_quiet_for_a_socket_under_home()
    {
        Assert.False(File.ReadLines("/etc/group").Any(l => l.StartsWith("decnet:", StringComparison.Ordinal)), "this test needs a host without the group 'decnet'");
        using var home = new TempSocket();
        var path = Path.Combine(home.Directory.FullName, ".decnet", "bus.sock");

        await using var broker = await BrokerProcess.StartAsync(new Dictionary<string, string> { ["HOME"] = home.Directory.FullName }, [], "bus", "--socket", path);
        var code = await broker.TerminateAsync();

        Assert.True(code == 0, broker.Log);
        Assert.DoesNotContain("warn", broker.Log, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("decnet' does not exist", broker.Log, StringComparison.Ordinal);
    }

    [OtherUserFact]
    public async Task The_default_group_existing_without_the_user_in_it_warns_and_keeps_the_users_group()
    {
        // A host where the deploy created group decnet, and a developer outside it runs the README's `decnet bus`: the
        // chown fails with EPERM. /etc/group gains a decnet line only inside a private mount namespace.
        var directory = OtherUser.CreateDirectory(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var groups = Path.Combine(Path.GetTempPath(), $"dcli-group-{Guid.NewGuid():N}");
        try
        {
            var lines = File.ReadAllLines("/etc/group").Where(l => !l.StartsWith("decnet:", StringComparison.Ordinal));
            await File.WriteAllLinesAsync(groups, [.. lines, "decnet:x:64999:"]);
            var path = Path.Combine(directory.FullName, "bus.sock");
            string[] launcher = ["unshare", "--mount", "--propagation", "private", "sh", "-c", "mount --bind \"$0\" /etc/group && exec \"$@\"", groups, .. OtherUser.Launcher];

            await using var broker = await BrokerProcess.StartAsync(new Dictionary<string, string> { ["HOME"] = directory.FullName }, launcher, "bus", "--socket", path);

            var socket = new FileInfo(path);
            Assert.Equal("660", Convert.ToString((int)File.GetUnixFileMode(path), 8));
            Assert.Contains("group 'decnet'", broker.Log, StringComparison.Ordinal);
            Assert.Contains("warn", broker.Log, StringComparison.OrdinalIgnoreCase);
            Assert.True(socket.Exists);
            Assert.True(await broker.TerminateAsync() == 0, broker.Log);
        }
        finally
        {
            File.Delete(groups);
            directory.Delete(recursive: true);
        }
    }

    [OtherUserFact]
    public async Task A_chown_that_fails_is_fatal()
    {
        // nobody is not in group daemon, so giving its socket to daemon fails with EPERM.
        var directory = OtherUser.CreateDirectory(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            var path = Path.Combine(directory.FullName, "bus.sock");
            var environment = new Dictionary<string, string> { ["HOME"] = directory.FullName };

            var (code, output) = await BusCommandTests.RunToExitAsync(environment, OtherUser.Launcher, "bus", "--socket", path, "--group", "daemon");

            Assert.True(code == 78, output);
            var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains("group 'daemon'", line, StringComparison.Ordinal);
            Assert.Empty(directory.GetFileSystemInfos());
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
