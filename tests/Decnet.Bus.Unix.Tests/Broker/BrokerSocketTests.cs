using System.Net.Sockets;
using Decnet.Bus.Unix.Tests.Support;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Decnet.Bus.Unix.Tests.Broker;

public sealed class BrokerSocketTests
{
    [Fact]
    public async Task Start_CreatesSocketWithMode0660()
    {
        await using var broker = await TestBroker.StartAsync();

        var mode = File.GetUnixFileMode(broker.SocketPath);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, mode);
    }

    [Fact]
    public async Task Start_WithAConfiguredGroupThatDoesNotExist_RefusesAndCreatesNothing()
    {
        // Issue 12, item 2: a configured group that is missing is fatal (it used to be a warning).
        using var dir = new TempSocketDir();
        var options = TestBroker.NewOptions(dir.SocketPath);
        options.Group = "no-such-group-decnet-test";
        await using var server = new BusServer(Options.Create(options));

        var ex = await Assert.ThrowsAsync<BusStartupException>(() => server.StartAsync(CancellationToken.None));

        Assert.Contains("group 'no-such-group-decnet-test' does not exist", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }

    [Fact]
    public async Task Start_LogsASocketPathWithControlCharactersEscaped()
    {
        // "Bus broker listening on PATH" and "stopped; removed PATH" carried an ESC in the path raw into the log.
        using var dir = new TempSocketDir();
        var path = Path.Combine(dir.Path, "b\u001b[31mRED.sock");
        var log = new RecordingLogger<BusServer>();
        var server = new BusServer(Options.Create(TestBroker.NewOptions(path)), log);
        await using (server)
        {
            await server.StartAsync(CancellationToken.None);
            await server.StopAsync(CancellationToken.None);
        }

        Assert.Contains($"Bus broker listening on {UntrustedText.Escape(path)} ", Assert.Single(log.Lines, l => l.Contains("listening", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains(log.Lines, l => l.Contains($"removed {UntrustedText.Escape(path)}", StringComparison.Ordinal));
        Assert.DoesNotContain(log.Lines, l => l.Contains('\u001b', StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_OverStaleSocket_ReplacesIt()
    {
        using var dir = new TempSocketDir();
        using (var crashed = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            // What a SIGKILLed broker leaves behind: a socket file nobody listens on. .NET unlinks the path it bound
            // on close, so move the socket file away from that path first.
            var bound = Path.Combine(dir.Path, "crashed.sock");
            crashed.Bind(new UnixDomainSocketEndPoint(bound));
            crashed.Listen();
            File.Move(bound, dir.SocketPath);
        }

        Assert.True(File.Exists(dir.SocketPath));
        await using var server = new BusServer(Options.Create(TestBroker.NewOptions(dir.SocketPath)));

        await server.StartAsync(CancellationToken.None);

        await using var bus = await UnixSocketBus.ConnectAsync(TestBroker.NewOptions(dir.SocketPath));
        Assert.True(bus.IsConnected);
    }

    [Fact]
    public async Task Start_WhileAnotherBrokerAnswers_RefusesAndLeavesItServing()
    {
        await using var broker = await TestBroker.StartAsync();
        await using var second = new BusServer(Options.Create(TestBroker.NewOptions(broker.SocketPath)));

        var ex = await Assert.ThrowsAsync<BusStartupException>(() => second.StartAsync(CancellationToken.None));

        Assert.Contains("already running", ex.Message, StringComparison.Ordinal);
        Assert.Equal(broker.SocketPath, ex.SocketPath);
        var bus = broker.CreateClient();
        await using var sub = await bus.SubscribeAsync("still.alive");
        await bus.PublishAsync("still.alive", new { ok = true });
        Assert.Equal("still.alive", (await Receive.NextAsync(sub)).Topic);
    }

    [Fact]
    public async Task Start_OverRegularFile_RefusesAndNeverDeletesIt()
    {
        using var dir = new TempSocketDir();
        await File.WriteAllTextAsync(dir.SocketPath, "precious");
        await using var server = new BusServer(Options.Create(TestBroker.NewOptions(dir.SocketPath)));

        var ex = await Assert.ThrowsAsync<BusStartupException>(() => server.StartAsync(CancellationToken.None));

        Assert.Contains("not a socket", ex.Message, StringComparison.Ordinal);
        Assert.Equal("precious", await File.ReadAllTextAsync(dir.SocketPath));
    }

    [Fact]
    public async Task Start_OverSymlink_RefusesAndLeavesLinkAndTarget()
    {
        using var dir = new TempSocketDir();
        var target = Path.Combine(dir.Path, "target.txt");
        await File.WriteAllTextAsync(target, "precious");
        File.CreateSymbolicLink(dir.SocketPath, target);
        await using var server = new BusServer(Options.Create(TestBroker.NewOptions(dir.SocketPath)));

        var ex = await Assert.ThrowsAsync<BusStartupException>(() => server.StartAsync(CancellationToken.None));

        Assert.Contains("symbolic link", ex.Message, StringComparison.Ordinal);
        Assert.Equal(target, new FileInfo(dir.SocketPath).LinkTarget);
        Assert.Equal("precious", await File.ReadAllTextAsync(target));
    }

    [Fact]
    public async Task Start_InMissingDirectory_RefusesWithTheDirectoryInTheMessage()
    {
        using var dir = new TempSocketDir();
        var path = Path.Combine(dir.Path, "missing", "bus.sock");
        await using var server = new BusServer(Options.Create(TestBroker.NewOptions(path)));

        var ex = await Assert.ThrowsAsync<BusStartupException>(() => server.StartAsync(CancellationToken.None));

        Assert.Contains(Path.Combine(dir.Path, "missing"), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stop_SendsByeAndRemovesTheSocketFile()
    {
        // A fake clock: the stop's flush bound (2.5 s), after which the broker aborts connections without BYE, cannot
        // run out on a loaded machine; the test's own bound is the failure bound.
        var broker = await TestBroker.StartAsync(time: new FakeTimeProvider());
        await using (broker)
        {
            await using var raw = await RawClient.ConnectAsync(broker.SocketPath);

            await broker.Server.StopAsync(CancellationToken.None).WaitAsync(TestBroker.Bound);

            Assert.Equal(Decnet.Bus.Unix.Protocol.FrameKind.Bye, (await raw.ReadFrameAsync()).Kind);
            Assert.False(File.Exists(broker.SocketPath));
        }
    }
}
