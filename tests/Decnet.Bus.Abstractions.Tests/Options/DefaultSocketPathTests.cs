namespace Decnet.Bus.Abstractions.Tests.Options;

/// <summary>
/// The client's default socket (docs/operations.md, "Running the broker"): the system socket whenever its directory
/// exists, whatever this process may write there, so a worker in group <c>decnet</c> reaches the broker without setting
/// <c>DECNET_BUS_SOCKET</c>. Temp directories stand in for <c>/run/decnet</c> and the home directory.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DefaultSocketPathTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("decnet-default-socket-");

    [Fact]
    public void RunDirectoryExists_ReadOnly_ChoosesTheRunSocket()
    {
        var run = _root.CreateSubdirectory("run");
        var home = _root.CreateSubdirectory("home");

        // 0550 like the shipped unit's 0750 seen by a group member: the client may connect, not create files.
        File.SetUnixFileMode(run.FullName, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);

        Assert.Equal(Path.Combine(run.FullName, "bus.sock"), DecnetBusOptions.DefaultSocketPath(run.FullName, home.FullName, null));
    }

    [Fact]
    public void RunDirectoryExists_NothingIsWrittenIntoIt()
    {
        // A probe file would change the directory's modification time (as root, whose probe always succeeds, too).
        var run = _root.CreateSubdirectory("run");
        var past = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        Directory.SetLastWriteTimeUtc(run.FullName, past);

        DecnetBusOptions.DefaultSocketPath(run.FullName, _root.FullName, null);

        Assert.Equal(past, Directory.GetLastWriteTimeUtc(run.FullName));
        Assert.Empty(run.EnumerateFileSystemInfos());
    }

    [Fact]
    public void NoRunDirectory_FallsBackToTheHomeSocket()
    {
        var home = _root.CreateSubdirectory("home");
        File.SetUnixFileMode(home.FullName, (UnixFileMode)Convert.ToInt32("755", 8)); // whatever the umask

        var path = DecnetBusOptions.DefaultSocketPath(Missing, home.FullName, null);

        Assert.Equal(Path.Combine(home.FullName, ".decnet", "bus.sock"), path);
    }

    [Fact]
    public void NoRunDirectory_NoHome_HasNoDefault_NeverTheSharedTempDirectory()
    {
        // /tmp is writable by every local user: whoever creates /tmp/.decnet first owns the directory the client
        // trusts, and so could pose as the broker (docs/operations.md, "Where the socket is").
        var path = DecnetBusOptions.DefaultSocketPath(Missing, string.Empty, null);

        Assert.Equal(string.Empty, path);
    }

    [Fact]
    public void NoRunDirectory_AHomeWritableByOthers_IsNotUsed()
    {
        // HOME=/tmp (or any sticky shared directory): another user can create .decnet there first.
        var home = _root.CreateSubdirectory("shared");
        File.SetUnixFileMode(home.FullName, (UnixFileMode)Convert.ToInt32("1777", 8));

        Assert.Equal(string.Empty, DecnetBusOptions.DefaultSocketPath(Missing, home.FullName, null));
    }

    [Theory]
    [InlineData("770")]
    [InlineData("775")]
    public void NoRunDirectory_AHomeWritableByItsGroup_IsNotUsed(string mode)
    {
        // A member of the home's group (a shared group, or a POSIX ACL, whose mask shows as g+w) could create .decnet
        // first and be trusted as its owner: homes are held to sshd's StrictModes, no write for group or others.
        var home = _root.CreateSubdirectory("group-shared");
        File.SetUnixFileMode(home.FullName, (UnixFileMode)Convert.ToInt32(mode, 8));

        Assert.Equal(string.Empty, DecnetBusOptions.DefaultSocketPath(Missing, home.FullName, null));
    }

    [Fact]
    public void NoRunDirectory_NoHome_UsesAPrivateRuntimeDirectory()
    {
        var runtime = _root.CreateSubdirectory("xdg");
        File.SetUnixFileMode(runtime.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var path = DecnetBusOptions.DefaultSocketPath(Missing, string.Empty, runtime.FullName);

        Assert.Equal(Path.Combine(runtime.FullName, "decnet", "bus.sock"), path);
    }

    [Theory]
    [InlineData("750", false)]
    [InlineData("1777", false)]
    [InlineData("700", true)]
    public void NoRunDirectory_NoHome_ARuntimeDirectoryThatIsNotPrivateOrNotAbsolute_IsNotUsed(string mode, bool relative)
    {
        var runtime = _root.CreateSubdirectory("xdg");
        File.SetUnixFileMode(runtime.FullName, (UnixFileMode)Convert.ToInt32(mode, 8));
        var variable = relative ? Path.GetRelativePath(Environment.CurrentDirectory, runtime.FullName) : runtime.FullName;

        Assert.Equal(string.Empty, DecnetBusOptions.DefaultSocketPath(Missing, string.Empty, variable));
    }

    [Fact]
    public void NoRunDirectory_NoHome_ARuntimeDirectoryThatIsASymlink_IsNotUsed()
    {
        var runtime = _root.CreateSubdirectory("xdg");
        File.SetUnixFileMode(runtime.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var link = Path.Combine(_root.FullName, "xdg-link");
        File.CreateSymbolicLink(link, runtime.FullName);

        Assert.Equal(string.Empty, DecnetBusOptions.DefaultSocketPath(Missing, string.Empty, link));
    }

    [Fact]
    public void ExplicitSocketPath_IsKept()
    {
        var options = new DecnetBusOptions { SocketPath = "/tmp/decnet-explicit/bus.sock" };

        Assert.Equal("/tmp/decnet-explicit/bus.sock", options.SocketPath);
    }

    private string Missing => Path.Combine(_root.FullName, "missing");

    public void Dispose()
    {
        File.SetUnixFileMode(_root.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        foreach (var dir in _root.EnumerateDirectories())
        {
            File.SetUnixFileMode(dir.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        _root.Delete(recursive: true);
    }
}
