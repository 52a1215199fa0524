using Decnet.Bus;
using Decnet.Cli.Tests.Support;
using Decnet.Mutator.Events;
using Decnet.Mutator.Events.Tests.Support;

namespace Decnet.Cli.Tests.Mutation;

public sealed class MutationCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"decnet-cli-{Guid.NewGuid():N}");

    private string LogFile => Path.Combine(_dir, "logs", "decnet.log");

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task Emit_WritesLineAndPublishes_ReportsBothPaths()
    {
        var bus = new RecordingBus();

        var (exit, output, error) = await CliRun.InvokeMutationAsync(
            ["mutation", "emit", "--decky", "decky-01", "--old", "ssh,http", "--new", "http,smb", "--trigger", "operator", "--actor", "alice", "--log-file", LogFile],
            _ => ValueTask.FromResult<IBus>(bus));

        Assert.Equal(0, exit);
        Assert.Equal($"syslog: written to {LogFile}\nbus: published on decky.decky-01.mutation\n", output.ReplaceLineEndings("\n"));
        Assert.Empty(error);
        Assert.True(DeckyMutatedEvent.TryParse(Assert.Single(await File.ReadAllLinesAsync(LogFile)), out var written, out var reason), reason);
        Assert.Equal(("decky-01", "alice", MutationTrigger.Operator), (written.Decky, written.Actor, written.Trigger));
        var published = Assert.Single(bus.Published);
        Assert.Equal("decky.decky-01.mutation", published.Topic);
        Assert.Equal("alice", published.Payload["actor"]);
        Assert.True(bus.Disposed);
    }

    [Fact]
    public async Task Emit_BusUnreachable_StillWritesLine_ExitZero()
    {
        var (exit, output, _) = await CliRun.InvokeMutationAsync(
            ["mutation", "emit", "--decky", "d1", "--new", "ssh", "--trigger", "creation", "--log-file", LogFile],
            _ => throw new IOException("connection refused"));

        Assert.Equal(0, exit);
        Assert.Contains($"syslog: written to {LogFile}", output, StringComparison.Ordinal);
        Assert.Contains("bus: failed: cannot connect to the bus: connection refused", output, StringComparison.Ordinal);
        Assert.Single(await File.ReadAllLinesAsync(LogFile));
    }

    [Fact]
    public async Task Emit_LogUnwritable_StillPublishes_ExitOne()
    {
        var bus = new RecordingBus();

        var (exit, output, error) = await CliRun.InvokeMutationAsync(
            ["mutation", "emit", "--decky", "d1", "--old", "ssh", "--trigger", "retirement", "--log-file", "/dev/full"],
            _ => ValueTask.FromResult<IBus>(bus));

        Assert.Equal(1, exit);
        // A device is not a log file: refused before any write (issue 12, item 5); a real full disk is in MutationEmitHostileTests.
        Assert.Contains("syslog: failed: refusing /dev/full: it is a character device; only a regular file is accepted", output, StringComparison.Ordinal);
        Assert.Contains("bus: published on decky.d1.mutation", output, StringComparison.Ordinal);
        // One line per path (docs/mutation-events.md): the "syslog: failed:" line is the report, nothing on stderr.
        Assert.Empty(error);
        Assert.Single(bus.Published);
    }

    [Fact]
    public async Task Emit_LogPathWithTerminalControls_IsPrintedEscaped_InTheStatusLine()
    {
        // A path is chosen by whoever configures the host; printed raw, ESC and a bidi override reach the terminal.
        var directory = Path.Combine(_dir, "a\u001b[2Jb\u202E");
        Directory.CreateDirectory(directory);
        var log = Path.Combine(directory, "decnet.log");
        TestLibc.CreateFifo(log);
        var shown = UntrustedText.Escape(log);

        var (exit, output, error) = await CliRun.InvokeMutationAsync(
            ["mutation", "emit", "--decky", "d1", "--new", "ssh", "--trigger", "creation", "--log-file", log],
            _ => ValueTask.FromResult<IBus>(new RecordingBus()));

        Assert.Equal(1, exit);
        Assert.Equal(
            $"syslog: failed: refusing {shown}: it is a FIFO; only a regular file is accepted\nbus: published on decky.d1.mutation\n",
            output.ReplaceLineEndings("\n"));
        Assert.Empty(error);
        Assert.Contains("\\u001B[2Jb\\u202E", shown, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--decky", "bad id", "--decky: Decky id contains U+0020")]
    [InlineData("--trigger", "reboot", "--trigger \"reboot\" is not one of")]
    [InlineData("--old", "ssh,,http", "--old: Service name #2 is empty")]
    [InlineData("--new", "a=b", "--new: Service name #1 contains '='")]
    [InlineData("--actor", "alice\nforged", "--actor: Actor contains U+000A")]
    [InlineData("--bogus", "x", "Unrecognized command or argument '--bogus'")]
    public async Task Emit_BadArgument_OneLineError_ExitTwo_NothingWritten(string option, string value, string expected)
    {
        var bus = new RecordingBus();
        var args = new List<string> { "mutation", "emit", "--decky", "d1", "--old", "ssh", "--new", "http", "--trigger", "operator", "--log-file", LogFile };
        var existing = args.IndexOf(option);
        if (existing >= 0)
        {
            args[existing + 1] = value;
        }
        else
        {
            args.AddRange([option, value]);
        }

        var (exit, output, error) = await CliRun.InvokeMutationAsync([.. args], _ => ValueTask.FromResult<IBus>(bus));

        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.StartsWith($"error: {expected}", error, StringComparison.Ordinal);
        Assert.Single(CliRun.Lines(error));
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.False(File.Exists(LogFile));
        Assert.Empty(bus.Published);
    }

    [Fact]
    public async Task Emit_MissingRequired_ExitTwo()
    {
        var (exit, _, error) = await CliRun.InvokeMutationAsync(["mutation", "emit", "--trigger", "operator"]);

        Assert.Equal(2, exit);
        Assert.Equal("error: Option '--decky' is required", error.TrimEnd());
    }
}
