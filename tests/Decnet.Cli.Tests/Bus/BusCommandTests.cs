using Decnet.Bus;
using Decnet.Bus.Unix;
using Decnet.Cli.Tests.Support;

namespace Decnet.Cli.Tests.Bus;

/// <summary><c>decnet bus</c> as operators run it: a child process, refused when the path is taken, stopped by SIGTERM.</summary>
public sealed class BusCommandTests
{
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Sigterm_says_bye_to_clients_removes_the_socket_and_exits_0()
    {
        using var socket = new TempSocket();
        await using var broker = await BrokerProcess.StartAsync(socket.Path);
        Assert.Equal("660", Convert.ToString((int)File.GetUnixFileMode(socket.Path), 8));

        await using var client = await UnixSocketBus.ConnectAsync(new DecnetBusOptions { SocketPath = socket.Path, Group = string.Empty });
        var code = await broker.TerminateAsync();

        Assert.True(code == 0, broker.Log);
        Assert.False(File.Exists(socket.Path), "socket left behind");
    }

    [Fact]
    public async Task A_second_broker_on_a_live_path_refuses_and_the_first_keeps_serving()
    {
        using var socket = new TempSocket();
        await using var first = await BrokerProcess.StartAsync(socket.Path);

        using var second = BrokerProcess.StartCli("bus", "--socket", socket.Path, "--group", "");
        var stderr = second.StandardError.ReadToEndAsync();
        await second.WaitForExitAsync().WaitAsync(_bound);

        Assert.Equal(78, second.ExitCode);
        Assert.Contains(socket.Path, await stderr, StringComparison.Ordinal);
        var stats = await CliRun.InvokeAsync(["stats", "--socket", socket.Path]);
        Assert.True(stats.ExitCode == 0, stats.ToString());
    }

    [Fact]
    public async Task A_regular_file_at_the_path_is_refused_and_left_intact()
    {
        using var socket = new TempSocket();
        await File.WriteAllTextAsync(socket.Path, "precious");

        var run = await CliRun.InvokeAsync(["bus", "--socket", socket.Path, "--group", ""]);

        Assert.True(run.ExitCode == 78, run.ToString());
        Assert.Contains(socket.Path, run.Error, StringComparison.Ordinal);
        Assert.Equal("precious", await File.ReadAllTextAsync(socket.Path));
    }

    [Fact]
    public async Task A_startup_error_shows_a_socket_path_with_control_characters_escaped()
    {
        // "bus: directory PATH does not exist" printed an ESC in the path raw.
        using var socket = new TempSocket();
        var path = Path.Combine(socket.Directory.FullName, "no\u001b[31mRED", "bus.sock");

        var run = await CliRun.InvokeAsync(["bus", "--socket", path, "--group", ""]);

        Assert.True(run.ExitCode == 78, run.ToString());
        Assert.DoesNotContain('\u001b', run.Error);
        Assert.StartsWith($"bus: directory {UntrustedText.Escape(Path.GetDirectoryName(path))} does not exist", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_socket_path_that_names_no_file_is_a_configuration_error()
    {
        const string path = "/";
        // "/" crashed: exit 70, "internal error (ArgumentNullException)" (it has no parent directory).
        var run = await CliRun.InvokeAsync(["bus", "--socket", path, "--group", ""]);

        Assert.True(run.ExitCode == 78, run.ToString());
        Assert.Equal($"bus: socket path {path} names no file in a directory; use a path such as /run/decnet/bus.sock", run.Error.Trim());
    }

    [Fact]
    public async Task A_symlink_at_the_path_is_refused_and_neither_it_nor_its_target_is_touched()
    {
        using var socket = new TempSocket();
        var target = Path.Combine(socket.Directory.FullName, "target");
        await File.WriteAllTextAsync(target, "precious");
        File.CreateSymbolicLink(socket.Path, target);

        var run = await CliRun.InvokeAsync(["bus", "--socket", socket.Path, "--group", ""]);

        Assert.True(run.ExitCode == 78, run.ToString());
        Assert.Equal(target, new FileInfo(socket.Path).LinkTarget);
        Assert.Equal("precious", await File.ReadAllTextAsync(target));
    }

    [Theory]
    [InlineData("DECNET_BUS_QUEUE_SIZE", "abc")]
    [InlineData("DECNET_BUS_ENABLED", "maybe")]
    [InlineData("DECNET_BUS_HEARTBEAT_S", "-1")]
    public async Task An_invalid_variable_fails_start_naming_it(string variable, string value)
    {
        using var socket = new TempSocket();
        using var process = BrokerProcess.StartCli(new Dictionary<string, string> { [variable] = value }, "bus", "--socket", socket.Path, "--group", "");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(_bound);

        Assert.True(process.ExitCode == 78, $"{await stdout}\n{await stderr}");
        Assert.Contains(variable, await stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(socket.Path));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_start_that_failed_logs_no_stop(bool besideALiveBroker)
    {
        // Issue 12, item 12: a broker that never started must not log "Bus broker stopped ... left in place".
        using var socket = new TempSocket();
        await using var first = besideALiveBroker ? await BrokerProcess.StartAsync(socket.Path) : null;
        var path = besideALiveBroker ? socket.Path : Path.Combine(socket.Directory.FullName, "missing", "bus.sock");

        var (code, output) = await RunToExitAsync(new Dictionary<string, string>(), "bus", "--socket", path, "--group", "");

        Assert.True(code == 78, output);
        Assert.Contains(Path.GetDirectoryName(path)!, output, StringComparison.Ordinal);
        Assert.DoesNotContain("stopped", output, StringComparison.OrdinalIgnoreCase);
    }

    [OtherUserFact]
    public async Task A_sticky_shared_directory_owned_by_another_user_is_refused()
    {
        // The sticky bit protects entries from other users, not from the directory's owner, who could rename the
        // socket away and put hers in its place (sshd's StrictModes checks the owner too).
        var shared = OtherUser.CreateDirectory((UnixFileMode)Convert.ToInt32("1777", 8));
        try
        {
            var path = Path.Combine(shared.FullName, "bus.sock");
            var (code, output) = await RunToExitAsync(new Dictionary<string, string>(), "bus", "--socket", path, "--group", "");

            Assert.True(code == 78, output);
            Assert.Contains($"bus: directory {shared.FullName} is shared (mode 1777) and owned by uid {OtherUser.Uid}", output, StringComparison.Ordinal);
            Assert.False(File.Exists(path));
        }
        finally
        {
            shared.Delete(recursive: true);
        }
    }

    [OtherUserFact]
    public async Task A_stale_socket_of_another_user_in_a_sticky_directory_is_a_startup_error_naming_it()
    {
        // /tmp's case: the sticky bit lets only a file's owner remove it, so the broker cannot clear it.
        using var shared = new TempSocket();
        File.SetUnixFileMode(shared.Directory.FullName, (UnixFileMode)Convert.ToInt32("1777", 8));
        var path = Path.Combine(shared.Directory.FullName, "bus.sock");
        // Bound, never listening, open to everyone: what a crashed broker of that user leaves (refuses connections).
        using var stale = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        stale.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("777", 8));

        var home = OtherUser.CreateDirectory(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            var (code, output) = await RunToExitAsync(new Dictionary<string, string> { ["HOME"] = home.FullName }, OtherUser.Launcher, "bus", "--socket", path, "--group", "");

            // 70 "internal error (UnauthorizedAccessException)" before.
            Assert.True(code == 78, output);
            Assert.Contains($"bus: cannot remove the stale socket {path}: ", output, StringComparison.Ordinal);
            Assert.True(File.Exists(path), "the other user's socket stays");
        }
        finally
        {
            home.Delete(recursive: true);
        }
    }

    /// <summary>Runs the CLI as a child to its exit; returns the exit code and stdout plus stderr.</summary>
    internal static Task<(int Code, string Output)> RunToExitAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
        => RunToExitAsync(environment, [], args);

    /// <summary>Runs the CLI as a child (through <paramref name="launcher"/> if any) to its exit.</summary>
    internal static async Task<(int Code, string Output)> RunToExitAsync(IReadOnlyDictionary<string, string> environment, IReadOnlyList<string> launcher, params string[] args)
    {
        using var process = BrokerProcess.StartCli(environment, launcher, args);
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(_bound);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"decnet {string.Join(' ', args)} did not exit within {_bound.TotalSeconds} s");
        }

        return (process.ExitCode, $"{await stdout}\n{await stderr}");
    }
}
