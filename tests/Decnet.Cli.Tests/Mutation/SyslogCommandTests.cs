using System.Text.Json;
using Decnet.Cli.Tests.Support;
using Decnet.Mutator.Events;

namespace Decnet.Cli.Tests.Mutation;

public sealed class SyslogCommandTests : IDisposable
{
    private static readonly DateTimeOffset _when = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    private readonly string _file = Path.Combine(Path.GetTempPath(), $"decnet-cli-{Guid.NewGuid():N}.log");

    public void Dispose() => File.Delete(_file);

    [Fact]
    public async Task Parse_File_PrintsJsonPerDeckyLine_RejectsBadLines_ExitOne()
    {
        var good = new DeckyMutatedEvent(_when, "decky-01", ["ssh", "http"], ["http", "smb"], MutationTrigger.Operator, "eve] \"x\"");
        var created = new DeckyMutatedEvent(_when, "d2", [], ["ssh"], MutationTrigger.Creation);
        await File.WriteAllTextAsync(
            _file,
            DeckyMutatedLineFormatter.Format(good)
            + "not syslog at all\n"
            + "<13>1 - host other - other_msgid - unrelated program\n"
            + DeckyMutatedLineFormatter.Format(created).Replace("trigger=\"creation\"", "trigger=\"reboot\"", StringComparison.Ordinal)
            + DeckyMutatedLineFormatter.Format(created));

        var (exit, output, error) = await CliRun.InvokeMutationAsync(["syslog", "parse", _file]);

        Assert.Equal(1, exit);
        var objects = CliRun.Lines(output);
        Assert.Equal(2, objects.Length);
        using (var first = JsonDocument.Parse(objects[0]))
        {
            var root = first.RootElement;
            Assert.Equal("2026-11-22T10:00:00.000000+00:00", root.GetProperty("timestamp").GetString());
            Assert.Equal("decky-01", root.GetProperty("decky").GetString());
            Assert.Equal(["ssh", "http"], root.GetProperty("old_services").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal(["http", "smb"], root.GetProperty("new_services").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal("operator", root.GetProperty("trigger").GetString());
            Assert.Equal("eve] \"x\"", root.GetProperty("actor").GetString());
        }

        using (var second = JsonDocument.Parse(objects[1]))
        {
            Assert.Equal(0, second.RootElement.GetProperty("old_services").GetArrayLength());
            Assert.False(second.RootElement.TryGetProperty("actor", out _));
        }

        var rejections = CliRun.Lines(error);
        Assert.Equal(2, rejections.Length);
        Assert.StartsWith("line 2: not RFC 5424", rejections[0], StringComparison.Ordinal);
        Assert.StartsWith("line 4: unknown trigger \"reboot\"", rejections[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parse_TornFragment_ReportedAsTorn_DistinctFromOtherInvalidLines()
    {
        // What a short write (full disk) leaves: the first bytes of a line, then the newline the emitter restores.
        var line = DeckyMutatedLineFormatter.Format(new DeckyMutatedEvent(_when, "d1", ["a"], ["b"], MutationTrigger.Operator, "ops"));
        await File.WriteAllTextAsync(_file, line[..96] + "\n" + "not syslog at all\n" + line);

        var (exit, output, error) = await CliRun.InvokeMutationAsync(["syslog", "parse", _file]);

        Assert.Equal(1, exit);
        Assert.Single(CliRun.Lines(output));
        var rejections = CliRun.Lines(error);
        Assert.Equal(2, rejections.Length);
        Assert.StartsWith("line 1: torn fragment (96 bytes, a prefix of a line cut short", rejections[0], StringComparison.Ordinal);
        Assert.StartsWith("line 2: not RFC 5424", rejections[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parse_StandardInput_AllValid_ExitZero()
    {
        var line = DeckyMutatedLineFormatter.Format(new DeckyMutatedEvent(_when, "d1", ["a"], [], MutationTrigger.Retirement, "ops"));

        var (exit, output, error) = await CliRun.InvokeMutationAsync(["syslog", "parse", "-"], standardInput: Utf8(line + "\n" + line));

        Assert.Equal(0, exit);
        Assert.Empty(error);
        Assert.Equal(2, CliRun.Lines(output).Length);
    }

    [Fact]
    public async Task Parse_BareCarriageReturn_StaysInsideTheLine_RejectedWithNothingPrinted()
    {
        // A CR inside a field someone else controls must not start a second, forged event (docs/mutation-events.md).
        var forged = DeckyMutatedLineFormatter.Format(new DeckyMutatedEvent(_when, "decky-01", ["ssh"], ["http"], MutationTrigger.Operator, "eve"));
        var input = "<13>1 - h app - other -\r" + forged + "not syslog at all\n";

        var (exit, output, error) = await CliRun.InvokeMutationAsync(["syslog", "parse", "-"], standardInput: Utf8(input));

        Assert.Equal(1, exit);
        Assert.Empty(output);
        var rejections = CliRun.Lines(error);
        Assert.Equal(2, rejections.Length);
        Assert.StartsWith("line 1: not RFC 5424: line break inside the message", rejections[0], StringComparison.Ordinal);
        Assert.StartsWith("line 2: not RFC 5424", rejections[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parse_CrlfLineEndings_AreAccepted_BlankCrlfLinesSkipped()
    {
        var line = DeckyMutatedLineFormatter.Format(new DeckyMutatedEvent(_when, "d1", ["a"], [], MutationTrigger.Retirement, "ops")).TrimEnd('\n');

        var (exit, output, error) = await CliRun.InvokeMutationAsync(["syslog", "parse", "-"], standardInput: Utf8(line + "\r\n\r\n" + line + "\r\n"));

        Assert.True(exit == 0, error);
        Assert.Equal(2, CliRun.Lines(output).Length);
    }

    [Fact]
    public async Task Parse_MissingFile_OneLineError_ExitTwo()
    {
        var (exit, output, error) = await CliRun.InvokeMutationAsync(["syslog", "parse", _file + ".missing"]);

        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.StartsWith($"syslog: cannot read {_file}.missing: ", Assert.Single(CliRun.Lines(error)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parse_FileThatFailsWhileReading_OneLineNamingIt_ExitTwo_NotAnInternalError()
    {
        // /proc/self/mem opens, and its first read fails with EIO: nothing is mapped at address 0.
        var (exit, output, error) = await CliRun.InvokeMutationAsync(["syslog", "parse", "/proc/self/mem"]);

        Assert.True(exit == 2, $"exit {exit}: {error}");
        Assert.Empty(output);
        Assert.Equal("syslog: cannot read /proc/self/mem: Input/output error", Assert.Single(CliRun.Lines(error)));
    }

    [Fact]
    public async Task Parse_Directory_SaysItIsADirectory_ExitTwo()
    {
        var directory = Directory.CreateTempSubdirectory("decnet-cli-").FullName;
        try
        {
            var (exit, output, error) = await CliRun.InvokeMutationAsync(["syslog", "parse", directory]);

            Assert.True(exit == 2, $"exit {exit}: {error}");
            Assert.Empty(output);
            Assert.Equal($"syslog: cannot read {directory}: it is a directory", Assert.Single(CliRun.Lines(error)));
        }
        finally
        {
            Directory.Delete(directory);
        }
    }

    [Fact]
    public async Task Parse_UnreadablePathWithControlCharacters_IsPrintedEscaped()
    {
        var (exit, _, error) = await CliRun.InvokeMutationAsync(["syslog", "parse", _file + "\u001b[31m\n.missing"]);

        Assert.Equal(2, exit);
        Assert.DoesNotContain('\u001b', error);
        Assert.StartsWith($"syslog: cannot read {_file}\\u001B[31m\\u000A.missing: ", Assert.Single(CliRun.Lines(error)), StringComparison.Ordinal);
    }

    private static MemoryStream Utf8(string text) => new(System.Text.Encoding.UTF8.GetBytes(text));
}
