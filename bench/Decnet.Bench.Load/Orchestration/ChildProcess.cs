using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Threading.Channels;

namespace Decnet.Bench.Load.Orchestration;

/// <summary>A process the orchestrator started: stdout lines are queued, stderr goes to a log; killed on dispose.</summary>
internal sealed partial class ChildProcess : IDisposable
{
    private const int _sigKill = 9;
    private const int _sigTerm = 15;
    private const int _sigCont = 18;
    private const int _sigStop = 19;

    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly Channel<string> _errorLines = Channel.CreateUnbounded<string>();
    private readonly StreamWriter _log;
    private readonly bool _watchStderr;

    private ChildProcess(Process process, StreamWriter log, bool watchStderr)
    {
        _process = process;
        _log = log;
        _watchStderr = watchStderr;
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Whether stderr lines are queued (a program that reports readiness there, such as <c>decnet bridge</c>).</summary>
    public bool WatchesStderr => _watchStderr;

    /// <param name="watchStderr">Also queue stderr lines for <see cref="WaitForErrorLineAsync"/> (a program that reports readiness there).</param>
    public static ChildProcess Start(string file, IEnumerable<string> args, string logPath, string pidFile, IDictionary<string, string>? env = null, bool watchStderr = false)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in env ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        log.WriteLine($"$ {file} {string.Join(' ', info.ArgumentList)}");
        var process = new Process { StartInfo = info };
        var child = new ChildProcess(process, log, watchStderr);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                child._lines.Writer.TryComplete();
            }
            else
            {
                child._lines.Writer.TryWrite(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                child._errorLines.Writer.TryComplete();
                return;
            }

            lock (log)
            {
                log.WriteLine(e.Data);
            }

            if (child._watchStderr)
            {
                child._errorLines.Writer.TryWrite(e.Data);
            }
        };
        process.Start();
        File.AppendAllText(pidFile, $"{process.Id}\n");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Next stdout line that satisfies <paramref name="accept"/>; other lines go to the log.</summary>
    public Task<string> WaitForLineAsync(Func<string, bool> accept, TimeSpan timeout) => WaitForAsync(_lines.Reader, accept, timeout, log: true);

    /// <summary>Next stderr line that satisfies <paramref name="accept"/> (started with <c>watchStderr</c>; every stderr line is logged anyway).</summary>
    public Task<string> WaitForErrorLineAsync(Func<string, bool> accept, TimeSpan timeout) => WaitForAsync(_errorLines.Reader, accept, timeout, log: false);

    private async Task<string> WaitForAsync(ChannelReader<string> lines, Func<string, bool> accept, TimeSpan timeout, bool log)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (await lines.WaitToReadAsync(cts.Token))
            {
                while (lines.TryRead(out var line))
                {
                    if (accept(line))
                    {
                        return line;
                    }

                    if (log)
                    {
                        lock (_log)
                        {
                            _log.WriteLine(line);
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"pid {Pid}: no expected output within {timeout.TotalSeconds:0} s (see the log).");
        }

        throw new InvalidOperationException($"pid {Pid} exited without the expected output (see the log).");
    }

    public Task<string> WaitForReadyAsync(TimeSpan timeout) => WaitForLineAsync(l => l == "READY", timeout);

    public Task<string> WaitForJsonAsync(TimeSpan timeout) => WaitForLineAsync(l => l.StartsWith('{'), timeout);

    public void Stop() => _ = Kill(_process.Id, _sigStop);

    public void Continue() => _ = Kill(_process.Id, _sigCont);

    /// <summary>SIGTERM, then SIGKILL if it has not exited within <paramref name="grace"/>.</summary>
    public async Task TerminateAsync(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return;
        }

        _ = Kill(_process.Id, _sigCont);
        _ = Kill(_process.Id, _sigTerm);
        try
        {
            await _process.WaitForExitAsync().WaitAsync(grace);
        }
        catch (TimeoutException)
        {
            _ = Kill(_process.Id, _sigKill);
            await _process.WaitForExitAsync();
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _ = Kill(_process.Id, _sigCont);
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
