using System.Net.Sockets;
using Decnet.Bus.Unix.Hardening.Tests.Support;
using Decnet.Bus.Unix.Native;
using Decnet.Bus.Unix.Tests.Support;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace Decnet.Bus.Unix.Hardening.Tests.Permissions;

/// <summary>
/// Issue 12, item 1: the broker never acts on a path a local user can swap. It binds in a private 0700 directory,
/// sets mode and group there, renames the socket into place and checks the inode (docs/reliability.md).
/// </summary>
public sealed class SocketCreationTests
{
    private const UnixFileMode _private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>A group that exists on every Debian-like host and is not root's (gid 1).</summary>
    private const string _otherGroup = "daemon";

    [Fact]
    public async Task ASymlinkSwappedInAfterBind_NeitherItsTargetsModeNorGroupChanges()
    {
        using var dir = new TempSocketDir();
        var victim = Path.Combine(dir.Path, "shadow");
        await File.WriteAllTextAsync(victim, "secret");
        File.SetUnixFileMode(victim, _private);
        var before = PathInspector.Status(Libc.AtFdCwd, victim);
        var options = LiveBroker.NewOptions(dir.SocketPath);
        options.Group = _otherGroup;
        await using var server = new BusServer(MsOptions.Create(options));

        // What a user who can write the directory does between bind and chown: move the fresh socket away and put a
        // symlink to a file it wants in its place.
        server.AfterBind = () =>
        {
            if (PathInspector.Inspect(dir.SocketPath).Kind == PathKind.Socket)
            {
                File.Move(dir.SocketPath, Path.Combine(dir.Path, "moved.sock"));
            }

            File.CreateSymbolicLink(dir.SocketPath, victim);
        };
        var started = await Record.ExceptionAsync(() => server.StartAsync(CancellationToken.None));

        var after = PathInspector.Status(Libc.AtFdCwd, victim);
        Assert.Equal(Convert.ToString(before.Mode, 8), Convert.ToString(after.Mode, 8));
        Assert.Equal(before.Gid, after.Gid);
        Assert.Equal("secret", await File.ReadAllTextAsync(victim));

        // The broker refuses rather than replacing what it finds, and leaves the link alone.
        Assert.IsType<BusStartupException>(started);
        Assert.Equal(victim, new FileInfo(dir.SocketPath).LinkTarget);
    }

    [Fact]
    public async Task Start_GivesTheSocketMode0660_AndLeavesNoPrivateDirectoryBehind()
    {
        using var dir = new TempSocketDir();
        await using var server = new BusServer(MsOptions.Create(LiveBroker.NewOptions(dir.SocketPath)));

        await server.StartAsync(CancellationToken.None);

        var socket = PathInspector.Status(Libc.AtFdCwd, dir.SocketPath);
        Assert.Equal(PathKind.Socket, socket.Kind);
        Assert.Equal("660", Convert.ToString(socket.Mode, 8));
        Assert.Equal([dir.SocketPath], Directory.GetFileSystemEntries(dir.Path));
    }

    /// <summary>Root only: a user outside group daemon may not give it a file (EPERM), which stops the start.</summary>
    [RootFact]
    public async Task Start_GivesTheSocketMode0660AndTheGroup_AndLeavesNoPrivateDirectoryBehind()
    {
        using var dir = new TempSocketDir();
        var options = LiveBroker.NewOptions(dir.SocketPath);
        options.Group = _otherGroup;
        await using var server = new BusServer(MsOptions.Create(options));

        await server.StartAsync(CancellationToken.None);

        var socket = PathInspector.Status(Libc.AtFdCwd, dir.SocketPath);
        Assert.Equal(PathKind.Socket, socket.Kind);
        Assert.Equal("660", Convert.ToString(socket.Mode, 8));
        Assert.Equal(GroupLookup.FindGid(_otherGroup), socket.Gid);
        Assert.Equal([dir.SocketPath], Directory.GetFileSystemEntries(dir.Path));
        await using var bus = await UnixSocketBus.ConnectAsync(LiveBroker.NewOptions(dir.SocketPath));
        Assert.True(bus.IsConnected);
    }

    [Theory]
    [InlineData("777", false)]
    [InlineData("1777", true)]
    [InlineData("775", true)]
    public async Task ADirectoryWritableByOthers_IsRefusedUnlessSticky(string mode, bool starts)
    {
        using var dir = new TempSocketDir();
        File.SetUnixFileMode(dir.Path, (UnixFileMode)Convert.ToInt32(mode, 8));
        await using var server = new BusServer(MsOptions.Create(LiveBroker.NewOptions(dir.SocketPath)));

        var failure = await Record.ExceptionAsync(() => server.StartAsync(CancellationToken.None));

        if (starts)
        {
            Assert.Null(failure);
            Assert.Equal(PathKind.Socket, PathInspector.Inspect(dir.SocketPath).Kind);
        }
        else
        {
            var refused = Assert.IsType<BusStartupException>(failure);
            Assert.Contains("writable by others", refused.Message, StringComparison.Ordinal);
            Assert.Contains(dir.Path, refused.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', refused.Message);
            Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
        }
    }

    /// <summary>
    /// A second broker that starts the moment the first one's socket appears at the path probes it: a socket not yet
    /// listening refuses the probe, and the second broker took it for a crashed broker's, deleted it and took the path.
    /// </summary>
    [Fact]
    public async Task ASecondBroker_StartingTheMomentTheSocketAppears_FindsItListeningAndLeavesIt()
    {
        using var dir = new TempSocketDir();
        await using var first = new BusServer(MsOptions.Create(LiveBroker.NewOptions(dir.SocketPath)));
        await using var second = new BusServer(MsOptions.Create(LiveBroker.NewOptions(dir.SocketPath)));
        Exception? secondStart = null;
        first.AfterPlace = () => secondStart = Record.Exception(() => second.StartAsync(CancellationToken.None).GetAwaiter().GetResult());

        await first.StartAsync(CancellationToken.None);

        var refused = Assert.IsType<BusStartupException>(secondStart);
        Assert.Contains("another broker is already running", refused.Message, StringComparison.Ordinal);
        await using var bus = await UnixSocketBus.ConnectAsync(LiveBroker.NewOptions(dir.SocketPath));
        Assert.True(bus.IsConnected);
    }

    [Fact]
    public async Task Stop_LeavesASocketThatReplacedOurs()
    {
        using var dir = new TempSocketDir();
        var server = new BusServer(MsOptions.Create(LiveBroker.NewOptions(dir.SocketPath)));
        await server.StartAsync(CancellationToken.None);

        // Someone else's socket now sits at the path (ours was moved away): shutdown must not remove it.
        File.Move(dir.SocketPath, Path.Combine(dir.Path, "ours.sock"));
        using (var other = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            other.Bind(new UnixDomainSocketEndPoint(Path.Combine(dir.Path, "theirs.sock")));
            File.Move(Path.Combine(dir.Path, "theirs.sock"), dir.SocketPath);
            var theirs = PathInspector.Inspect(dir.SocketPath).Inode;

            await server.DisposeAsync();

            Assert.Equal((PathKind.Socket, theirs), PathInspector.Inspect(dir.SocketPath));
        }
    }
}
