using System.Diagnostics;
using System.Text;

namespace Decnet.Bus.Nats.Tests.Support;

/// <summary>The built <c>decnet</c> CLI as a child process with only the DECNET_* variables a test gives it.</summary>
internal sealed class CliProcess : IAsyncDisposable
{
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(30);
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();
    private readonly List<(string Text, TaskCompletionSource Seen)> _waits = [];

    private CliProcess(Process process) => _process = process;

    public string Output => Read(_output);

    public string Error => Read(_error);

    public int Pid => _process.Id;

    public static CliProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        // The one way the tests start the CLI (no inherited DECNET_* variables, the given ones added).
        var cli = new CliProcess(BrokerProcess.StartCli(environment, args));
        cli._process.OutputDataReceived += (_, e) => cli.OnLine(cli._output, e.Data);
        cli._process.ErrorDataReceived += (_, e) => cli.OnLine(cli._error, e.Data);
        cli._process.BeginOutputReadLine();
        cli._process.BeginErrorReadLine();
        return cli;
    }

    /// <summary>Completes when a line containing <paramref name="text"/> has been printed on stdout or stderr.</summary>
    public Task WaitForLineAsync(string text)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waits)
        {
            if (Read(_output).Contains(text, StringComparison.Ordinal) || Read(_error).Contains(text, StringComparison.Ordinal))
            {
                return Task.CompletedTask;
            }

            _waits.Add((text, seen));
        }

        return Task.WhenAny(seen.Task, _process.WaitForExitAsync()).Unwrap().WaitAsync(_bound);
    }

    public async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(_bound);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>Sends SIGTERM (the CLI's orderly stop).</summary>
    public void Terminate()
    {
        if (!_process.HasExited)
        {
            _ = Native.Kill(_process.Id, 15);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    public override string ToString() => $"stdout:\n{Output}\nstderr:\n{Error}";

    private static string Read(StringBuilder builder)
    {
        lock (builder)
        {
            return builder.ToString();
        }
    }

    private void OnLine(StringBuilder target, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (target)
        {
            target.AppendLine(line);
        }

        lock (_waits)
        {
            foreach (var (text, seen) in _waits.Where(w => line.Contains(w.Text, StringComparison.Ordinal)).ToList())
            {
                seen.TrySetResult();
                _waits.Remove((text, seen));
            }
        }
    }
}
