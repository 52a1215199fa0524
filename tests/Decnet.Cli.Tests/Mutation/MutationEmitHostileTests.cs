using System.Net.Sockets;
using Decnet.Bus;
using Decnet.Bus.Unix;
using Decnet.Cli.Tests.Support;
using Decnet.Mutator.Events;
using Decnet.Mutator.Events.Tests.Support;

namespace Decnet.Cli.Tests.Mutation;

/// <summary>
/// Issue 12, items 10, 13 and 14 through <c>decnet mutation emit</c> and <c>decnet syslog parse</c>: a FIFO log path
/// does not hang, a short write does not swallow the next event, and a hung broker does not delay the durable line.
/// </summary>
public sealed class MutationEmitHostileTests : IDisposable
{
    /// <summary>A failure bound only: every command here returns in well under a second when correct.</summary>
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(15);

    private readonly string _dir = Directory.CreateTempSubdirectory("decnet-cli-hostile").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Emit_LogPathIsFifo_DoesNotHang_ExitOne_StillPublishes()
    {
        var fifo = Path.Combine(_dir, "decnet.log");
        TestLibc.CreateFifo(fifo);
        var bus = new RecordingBus();

        // Task.Run: a blocking open(2) must fail this test at the bound, not hang the test run.
        var (exit, output, error) = await Task.Run(() => CliRun.InvokeMutationAsync(EmitArgs(fifo, "alice"), _ => ValueTask.FromResult<IBus>(bus))).WaitAsync(_bound);

        Assert.Equal(1, exit);
        Assert.Contains($"syslog: failed: refusing {fifo}: it is a FIFO", output, StringComparison.Ordinal);
        Assert.Contains("bus: published on decky.decky-01.mutation", output, StringComparison.Ordinal);
        Assert.Empty(error); // one line per path: the "syslog: failed:" line is the report (docs/mutation-events.md)
        Assert.Single(bus.Published);
    }

    [TmpfsFact]
    public async Task Emit_DiskFullOnTmpfs_NextEmitStandsAlone_SyslogParseReportsTornFragment()
    {
        using var disk = TinyTmpfs.MountWithLogFullBut(bytesFree: 100);
        var log = disk.LogFile;
        var linesBefore = File.ReadAllLines(log).Length;

        var (firstExit, firstOutput, _) = await CliRun.InvokeMutationAsync(EmitArgs(log, "first"));
        disk.FreeFiller();
        var (secondExit, secondOutput, _) = await CliRun.InvokeMutationAsync(EmitArgs(log, "second"));
        var (parseExit, parsed, rejected) = await CliRun.InvokeMutationAsync(["syslog", "parse", log]);

        Assert.Equal(1, firstExit);
        Assert.Contains($"syslog: failed: short write to {log}: 100 of ", firstOutput, StringComparison.Ordinal);
        Assert.Equal(0, secondExit);
        Assert.Contains($"syslog: written to {log}", secondOutput, StringComparison.Ordinal);
        Assert.Equal(1, parseExit);
        var json = Assert.Single(CliRun.Lines(parsed));
        Assert.Contains("\"actor\":\"second\"", json, StringComparison.Ordinal);
        var rejection = Assert.Single(CliRun.Lines(rejected));
        Assert.StartsWith($"line {linesBefore + 1}: torn fragment", rejection, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Emit_HungBroker_LineIsWrittenBeforeTheHandshake_CtrlCThenLosesOnlyThePublish()
    {
        using var socket = new TempSocket();
        using var broker = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        broker.Bind(new UnixDomainSocketEndPoint(socket.Path));
        broker.Listen();
        var log = Path.Combine(_dir, "decnet.log");
        using var ctrlC = new CancellationTokenSource();

        var emit = CliRun.InvokeMutationAsync(
            EmitArgs(log, "alice"),
            async ct => await UnixSocketBus.ConnectAsync(new DecnetBusOptions { SocketPath = socket.Path, ClientName = "decnet-mutation" }, ct),
            cancellationToken: ctrlC.Token);

        // Accepted and never answered: the client now waits for a handshake that will not come.
        using var accepted = await broker.AcceptAsync().WaitAsync(_bound);
        Assert.False(emit.IsCompleted);
        Assert.True(File.Exists(log), "the durable line must be written before the bus is contacted");
        Assert.True(DeckyMutatedEvent.TryParse(Assert.Single(await File.ReadAllLinesAsync(log)), out var written, out var reason), reason);
        Assert.Equal("alice", written.Actor);

        await ctrlC.CancelAsync();
        var (exit, output, _) = await emit.WaitAsync(_bound);

        Assert.Equal(0, exit);
        Assert.Contains($"syslog: written to {log}", output, StringComparison.Ordinal);
        Assert.Contains("bus: failed: publish canceled", output, StringComparison.Ordinal);
    }

    private static string[] EmitArgs(string log, string actor)
        => ["mutation", "emit", "--decky", "decky-01", "--old", "ssh", "--new", "http", "--trigger", "operator", "--actor", actor, "--log-file", log];
}
