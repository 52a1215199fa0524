using System.Diagnostics;
using Decnet.Mutator.Events.Tests.Support;

namespace Decnet.Mutator.Events.Tests.Emitting;

public sealed class MultiProcessAppendTests : IDisposable
{
    internal const int Writers = 4;
    internal const int LinesPerWriter = 5000;

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task FourProcesses_AppendingConcurrently_NeverTearOrInterleaveLines()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var logFile = _temp.File("shared.log");
        var processes = Enumerable.Range(0, Writers).Select(id => StartWriter(logFile, id)).ToArray();
        try
        {
            // Release all writers at once, after each has started (JIT and startup done), to maximise overlap.
            foreach (var process in processes)
            {
                Assert.Equal("ready", await process.StandardOutput.ReadLineAsync(timeout.Token));
            }

            foreach (var process in processes)
            {
                await process.StandardInput.WriteLineAsync();
                await process.StandardInput.FlushAsync(timeout.Token);
            }

            foreach (var process in processes)
            {
                await process.WaitForExitAsync(timeout.Token);
                Assert.True(process.ExitCode == 0, await process.StandardError.ReadToEndAsync(timeout.Token));
            }
        }
        finally
        {
            foreach (var process in processes)
            {
                if (!process.HasExited)
                {
                    process.Kill();
                }

                process.Dispose();
            }
        }

        var lines = await File.ReadAllLinesAsync(logFile, timeout.Token);
        Assert.Equal(Writers * LinesPerWriter, lines.Length);
        var next = new int[Writers];
        for (var n = 0; n < lines.Length; n++)
        {
            Assert.True(DeckyMutatedEvent.TryParse(lines[n], out var parsed, out var reason), $"line {n + 1}: {reason}: {lines[n]}");
            var writer = int.Parse(parsed.Decky.AsSpan(1), provider: null);

            // Each process's own lines stay in its order: proof that none was lost or duplicated either.
            Assert.Equal($"s{next[writer]}", parsed.OldServices[0]);
            next[writer]++;
        }

        Assert.All(next, count => Assert.Equal(LinesPerWriter, count));
    }

    private static Process StartWriter(string logFile, int id) => LoadWriterProcess.Start(logFile, id, LinesPerWriter);
}
