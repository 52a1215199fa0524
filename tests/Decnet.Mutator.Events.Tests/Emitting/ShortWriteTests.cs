using Decnet.Mutator.Events.Internal;
using Decnet.Mutator.Events.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Decnet.Mutator.Events.Tests.Emitting;

/// <summary>
/// Issue 12, item 13: a write cut short by a full disk leaves a fragment; it must end up as one line of its own, read
/// as a torn fragment, and the next event must stand alone on its line (docs/mutation-events.md).
/// </summary>
public sealed class ShortWriteTests
{
    private const int _bytesFree = 100;

    [TmpfsFact]
    public async Task Emit_DiskFullOnTmpfs_FragmentIsOneTornLine_NextEventStandsAlone()
    {
        using var disk = TinyTmpfs.MountWithLogFullBut(_bytesFree);
        var log = disk.LogFile;
        var linesBefore = File.ReadAllLines(log).Length;

        var first = await Emitter(log).EmitAsync("decky-01", ["ssh"], ["http"], MutationTrigger.Operator, "first");

        Assert.False(first.Written);
        Assert.Contains($"short write to {log}: {_bytesFree} of {first.Line.Length} bytes", first.WriteError, StringComparison.Ordinal);

        // Space comes back; a fresh emitter (as in a second `decnet mutation emit` process) appends the next event.
        disk.FreeFiller();
        var second = await Emitter(log).EmitAsync("decky-01", ["http"], ["smb"], MutationTrigger.Operator, "second");

        Assert.True(second.Written, second.WriteError);
        var lines = await File.ReadAllLinesAsync(log);
        Assert.Equal(linesBefore + 2, lines.Length);
        Assert.Equal(first.Line[.._bytesFree], lines[^2]);
        Assert.False(DeckyMutatedEvent.TryParse(lines[^2], out _, out var fragmentReason));
        Assert.StartsWith("torn fragment", fragmentReason, StringComparison.Ordinal);
        Assert.Equal(second.Line.TrimEnd('\n'), lines[^1]);
        Assert.True(DeckyMutatedEvent.TryParse(lines[^1], out var parsed, out var reason), reason);
        Assert.Equal("second", parsed.Actor);
    }

    [Fact]
    public async Task Emit_ShortWrite_FragmentEndedWithNewline_NextEventStandsAlone()
    {
        using var temp = new TempDirectory();
        var log = temp.File("decnet.log");
        var writer = new ScriptedDescriptorWriter(ScriptedDescriptorWriter.Short(96));
        var emitter = Emitter(log, writer);

        var first = await emitter.EmitAsync("decky-01", ["ssh"], ["http"], MutationTrigger.Operator, "first");
        var second = await emitter.EmitAsync("decky-01", ["http"], ["smb"], MutationTrigger.Operator, "second");

        Assert.Equal($"short write to {log}: 96 of {first.Line.Length} bytes (disk full?); the fragment was ended with a newline", first.WriteError);
        Assert.True(second.Written, second.WriteError);
        Assert.Equal(first.Line[..96] + "\n" + second.Line, await File.ReadAllTextAsync(log));
        Assert.Equal(3, writer.Calls);
    }

    [Fact]
    public async Task Emit_ShortWriteAndNewlineFails_NextEventStartsWithTheNewline()
    {
        using var temp = new TempDirectory();
        var log = temp.File("decnet.log");
        var writer = new ScriptedDescriptorWriter(ScriptedDescriptorWriter.Short(96), ScriptedDescriptorWriter.DiskFull());

        var first = await Emitter(log, writer).EmitAsync("decky-01", ["ssh"], ["http"], MutationTrigger.Operator, "first");
        var second = await Emitter(log, writer).EmitAsync("decky-01", ["http"], ["smb"], MutationTrigger.Operator, "second");

        Assert.EndsWith("ending the fragment with a newline failed too (No space left on device (errno 28)), so the next append starts with one", first.WriteError, StringComparison.Ordinal);
        Assert.True(second.Written, second.WriteError);
        Assert.Equal(first.Line[..96] + "\n" + second.Line, await File.ReadAllTextAsync(log));
    }

    [Fact]
    public async Task Emit_DiskFull_NothingWritten_ReportsErrno_StillPublishes()
    {
        using var temp = new TempDirectory();
        var log = temp.File("decnet.log");
        var bus = new RecordingBus();
        var emitter = new MutationEventEmitter(
            new MutationEventOptions { LogFile = log }, bus, new FakeTimeProvider(Samples.Timestamp), logger: null, new AppendOnlyFileWriter(new ScriptedDescriptorWriter(ScriptedDescriptorWriter.DiskFull())));

        var result = await emitter.EmitAsync("decky-01", ["ssh"], ["http"], MutationTrigger.Operator);

        Assert.Equal($"cannot write {log}: No space left on device (errno 28)", result.WriteError);
        Assert.True(result.Published);
        Assert.Equal(string.Empty, await File.ReadAllTextAsync(log));
    }

    [Theory]
    [InlineData(typeof(EntryPointNotFoundException))]
    [InlineData(typeof(DllNotFoundException))]
    public async Task Emit_LibcLacksACall_SoftFailure_CountedAsNotWritten_StillPublishes(Type exceptionType)
    {
        // statx is missing from old glibc and some musl builds: the P/Invoke throws instead of returning an errno.
        using var temp = new TempDirectory();
        var log = temp.File("decnet.log");
        var missing = (Exception)Activator.CreateInstance(exceptionType, "no statx here")!;
        var bus = new RecordingBus();
        var emitter = new MutationEventEmitter(
            new MutationEventOptions { LogFile = log }, bus, new FakeTimeProvider(Samples.Timestamp), logger: null, new AppendOnlyFileWriter(new ScriptedDescriptorWriter(ScriptedDescriptorWriter.Throws(missing))));

        var result = await emitter.EmitAsync("decky-01", ["ssh"], ["http"], MutationTrigger.Operator);

        Assert.Equal(MutationSyslogFailure.Open, result.WriteFailure);
        Assert.Equal($"cannot append to {log}: the C library lacks a call the writer needs ({exceptionType.Name}: no statx here)", result.WriteError);
        Assert.True(result.Published);
        Assert.Single(bus.Published);
        Assert.Equal((1, 1), (emitter.EmittedCount, emitter.SyslogFailureCount));
    }

    private static MutationEventEmitter Emitter(string log, ScriptedDescriptorWriter? writer = null)
        => new(new MutationEventOptions { LogFile = log }, new RecordingBus(), new FakeTimeProvider(Samples.Timestamp), logger: null, new AppendOnlyFileWriter(writer));
}
