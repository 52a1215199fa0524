using Decnet.Mutator.Events.Tests.Support;

namespace Decnet.Mutator.Events.Tests.Emitting;

/// <summary>
/// A write past the process's RLIMIT_FSIZE raises SIGXFSZ, which kills the process: the emitter must refuse such a
/// line before writing it, as a soft failure, without touching the host's signal dispositions
/// (docs/mutation-events.md, "How the file is written").
/// </summary>
public sealed class FileSizeLimitTests : IDisposable
{
    /// <summary>Large enough for the runtime itself: CoreCLR's double-mapped code memory counts against the limit too.</summary>
    private const long _limit = 128L * 1024 * 1024;

    /// <summary>A failure bound only: the writer emits one line and exits.</summary>
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Emit_LineWouldPassTheFileSizeLimit_ReportedNotWritten_ProcessSurvives_FileUnchanged()
    {
        // 100 bytes below the limit: the kernel would write 100 bytes of the line, then kill on the repairing "\n".
        var log = _temp.File("decnet.log");
        const long Size = _limit - 100;
        await using (var file = new FileStream(log, FileMode.CreateNew))
        {
            file.SetLength(Size - 1); // sparse
            file.Seek(0, SeekOrigin.End);
            file.WriteByte((byte)'\n');
        }

        using var writer = LoadWriterProcess.Start(log, id: 0, lines: 1, "prlimit", $"--fsize={_limit}");
        var error = await ReleaseToTheEndAsync(writer);

        Assert.True(writer.ExitCode == 1, $"exit {writer.ExitCode} (153 = killed by SIGXFSZ); stderr: {error}");
        Assert.Contains($"cannot write {log}: the line (", error, StringComparison.Ordinal);
        Assert.Contains($" bytes) would pass this process's file-size limit (RLIMIT_FSIZE {_limit} bytes; the file has {Size}): File too large (errno 27); nothing was written", error, StringComparison.Ordinal);
        Assert.Equal(Size, new FileInfo(log).Length);
    }

    [Fact]
    public async Task Emit_WriterOutsideTheLockGrowsTheFileAfterTheCheck_ShortWriteAtTheLimit_NoNewlineWritten_ProcessSurvives()
    {
        // The check sees a small file; then another program grows it to 10 bytes below the limit. The kernel writes 10
        // bytes of the line, and a repairing "\n" at the limit would raise SIGXFSZ. The writer's second event must then
        // be refused whole: it would start with that "\n".
        var log = _temp.File("decnet.log");
        await File.WriteAllTextAsync(log, "earlier\n");
        const long Grown = _limit - 10;

        using var writer = LoadWriterProcess.StartGrowingTheLog(log, Grown, lines: 2, "prlimit", $"--fsize={_limit}");
        var error = await ReleaseToTheEndAsync(writer);

        Assert.True(writer.ExitCode == 1, $"exit {writer.ExitCode} (153 = killed by SIGXFSZ); stderr: {error}");
        Assert.Contains($"short write to {log}: 10 of ", error, StringComparison.Ordinal);
        Assert.Contains($"the fragment was not ended with a newline: it would pass this process's file-size limit (RLIMIT_FSIZE {_limit} bytes; the file has {_limit}), so the next append starts with one", error, StringComparison.Ordinal);
        Assert.Contains($"would pass this process's file-size limit (RLIMIT_FSIZE {_limit} bytes; the file has {_limit}): File too large (errno 27); nothing was written", error, StringComparison.Ordinal);
        Assert.Equal(_limit, new FileInfo(log).Length);
    }

    /// <summary>Lets the writer emit (it waits for a line after "ready"); its stderr once it exits.</summary>
    private static async Task<string> ReleaseToTheEndAsync(System.Diagnostics.Process writer)
    {
        using var timeout = new CancellationTokenSource(_bound);
        Assert.Equal("ready", await writer.StandardOutput.ReadLineAsync(timeout.Token));
        await writer.StandardInput.WriteLineAsync();
        await writer.StandardInput.FlushAsync(timeout.Token);
        var error = await writer.StandardError.ReadToEndAsync(timeout.Token);
        await writer.WaitForExitAsync(timeout.Token);
        return error;
    }
}
