using System.Text;
using Decnet.Cli.Tests.Support;
using Decnet.Mutator.Events;

namespace Decnet.Cli.Tests.Mutation;

/// <summary>
/// How <c>decnet syslog parse</c> reads its bytes: strict UTF-8 whatever the locale, for a FILE and for stdin alike; a
/// UTF-8 BOM at the start is skipped, other BOMs are not honoured; a line that is not UTF-8 is refused on its own
/// (docs/mutation-events.md, "CLI").
/// </summary>
public sealed class SyslogInputTests : IDisposable
{
    /// <summary>A failure bound only: parsing one line takes milliseconds.</summary>
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(30);

    private static readonly DateTimeOffset _when = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    private readonly string _file = Path.Combine(Path.GetTempPath(), $"decnet-cli-{Guid.NewGuid():N}.log");

    public void Dispose() => File.Delete(_file);

    [Fact]
    public async Task ParseStandardInput_InALatin1Locale_DecodesUtf8_AsForAFile()
    {
        // The real stdin of a real process: Console.In would decode it in the locale's charset ("JosÃ©").
        await File.WriteAllBytesAsync(_file, Encoding.UTF8.GetBytes(Line("José")));
        var latin1 = new Dictionary<string, string> { ["LANG"] = "en_US.ISO-8859-1", ["LC_ALL"] = "en_US.ISO-8859-1" };

        using var parse = BrokerProcess.StartCli(latin1, ["sh", "-c", "exec \"$@\" < \"$0\"", _file], "syslog", "parse", "-");
        using var timeout = new CancellationTokenSource(_bound);
        var output = parse.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = await parse.StandardError.ReadToEndAsync(timeout.Token);
        await parse.WaitForExitAsync(timeout.Token);

        Assert.True(parse.ExitCode == 0, $"exit {parse.ExitCode}: {error}");
        Assert.Contains("\"actor\":\"José\"", await output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ParseFile_LineNotUtf8_RefusedNamingTheByte_OtherLinesStillRead()
    {
        // Latin-1 "José": a lenient decoder turns the 0xE9 into U+FFFD and accepts an actor nobody wrote.
        var latin1Line = Encoding.Latin1.GetBytes(Line("José"));
        await File.WriteAllBytesAsync(_file, [.. latin1Line, .. Encoding.UTF8.GetBytes(Line("ops"))]);

        var (exit, output, error) = await CliRun.InvokeMutationAsync(["syslog", "parse", _file]);

        Assert.Equal(1, exit);
        Assert.Contains("\"actor\":\"ops\"", Assert.Single(CliRun.Lines(output)), StringComparison.Ordinal);
        var at = Array.IndexOf(latin1Line, (byte)0xE9) + 1;
        Assert.Equal($"line 1: not UTF-8: byte {at} (0xE9) starts no valid sequence", Assert.Single(CliRun.Lines(error)));
    }

    [Fact]
    public async Task ParseFile_Utf16ByteOrderMark_IsNotHonoured_TheLinesAreRefused()
    {
        await File.WriteAllBytesAsync(_file, [0xFF, 0xFE, .. Encoding.Unicode.GetBytes(Line("ops"))]);

        var (exit, output, error) = await CliRun.InvokeMutationAsync(["syslog", "parse", _file]);

        Assert.Equal(1, exit);
        Assert.Empty(output);
        Assert.StartsWith("line 1: not UTF-8: byte 1 (0xFF) starts no valid sequence", CliRun.Lines(error)[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ParseFile_Utf8ByteOrderMarkAtTheStart_IsSkipped_AnywhereElse_ItIsPartOfTheLine()
    {
        var line = Encoding.UTF8.GetBytes(Line("ops"));
        await File.WriteAllBytesAsync(_file, [0xEF, 0xBB, 0xBF, .. line, 0xEF, 0xBB, 0xBF, .. line]);

        var (exit, output, error) = await CliRun.InvokeMutationAsync(["syslog", "parse", _file]);

        Assert.Equal(1, exit);
        Assert.Single(CliRun.Lines(output));
        Assert.StartsWith("line 2: not RFC 5424", Assert.Single(CliRun.Lines(error)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ParseStandardInput_Utf8ByteOrderMarkAtTheStart_IsSkipped_AsForAFile()
    {
        using var input = new MemoryStream([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Line("ops"))]);

        var (exit, output, error) = await CliRun.InvokeMutationAsync(["syslog", "parse", "-"], standardInput: input);

        Assert.True(exit == 0, error);
        Assert.Contains("\"actor\":\"ops\"", Assert.Single(CliRun.Lines(output)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ParseFile_LineLongerThanTheBound_RefusedUnread_TheNextLineStillParsed()
    {
        // 64 KiB is read (and rejected by the parser); one byte more is skipped to its LF without being kept.
        const int Bound = 64 * 1024;
        await File.WriteAllTextAsync(_file, new string('x', Bound) + "\n" + new string('y', (3 * Bound) + 1) + "\n" + Line("ops"));

        var (exit, output, error) = await CliRun.InvokeMutationAsync(["syslog", "parse", _file]);

        Assert.Equal(1, exit);
        Assert.Contains("\"actor\":\"ops\"", Assert.Single(CliRun.Lines(output)), StringComparison.Ordinal);
        var rejections = CliRun.Lines(error);
        Assert.Equal(2, rejections.Length);
        Assert.StartsWith("line 1: not RFC 5424", rejections[0], StringComparison.Ordinal);
        Assert.Equal($"line 2: longer than {Bound} bytes ({(3 * Bound) + 1}); skipped, not read", rejections[1]);
    }

    [Fact]
    public async Task ParseFile_TheLongestValidEvent_FitsTheLineBound_AndIsParsed()
    {
        // Every field at its limit, the actor in 3-byte characters: what the emitter writes, parse must read whole.
        var services = Enumerable.Range(0, 256).Select(i => $"{i:D3}".PadRight(64, 's')).ToArray();
        var longest = new DeckyMutatedEvent(_when, new string('d', 63), services, services.Reverse(), MutationTrigger.Operator, new string('€', 1024));
        var line = DeckyMutatedLineFormatter.Format(longest);
        await File.WriteAllTextAsync(_file, line);

        var (exit, output, error) = await CliRun.InvokeMutationAsync(["syslog", "parse", _file]);

        Assert.True(exit == 0, error);
        Assert.Contains("\"actor\":\"€€€", Assert.Single(CliRun.Lines(output)), StringComparison.Ordinal);
        Assert.InRange(Encoding.UTF8.GetByteCount(line), 36_000, 64 * 1024);
    }

    private static string Line(string actor)
        => DeckyMutatedLineFormatter.Format(new DeckyMutatedEvent(_when, "d1", ["a"], ["b"], MutationTrigger.Operator, actor));

}
