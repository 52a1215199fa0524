using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Decnet.Bus.Unix.Hardening.Tests.Support;

/// <summary>
/// <c>decnet bus</c> as a real child process (the decnet.dll built next to the tests), so shutdown can be driven by a
/// real SIGTERM. Ready when it logs that it is listening.
/// </summary>
internal sealed partial class CliBroker : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private CliBroker(Process process) => _process = process;

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public static async Task<CliBroker> StartAsync(string socketPath)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "decnet.dll"), "bus", "--socket", socketPath, "--group", string.Empty })
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("DECNET_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(key);
        }

        var broker = new CliBroker(Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start"));
        broker._process.OutputDataReceived += broker.OnLine;
        broker._process.ErrorDataReceived += broker.OnLine;
        broker._process.BeginOutputReadLine();
        broker._process.BeginErrorReadLine();

        var exited = broker._process.WaitForExitAsync();
        if (await Task.WhenAny(broker._listening.Task, exited).WaitAsync(TimeSpan.FromSeconds(30)) == exited)
        {
            throw new InvalidOperationException($"decnet bus exited with {broker._process.ExitCode} before listening:\n{broker.Log}");
        }

        return broker;
    }

    /// <summary>Sends SIGTERM and returns the exit code.</summary>
    public async Task<int> TerminateAsync()
    {
        Assert.Equal(0, Kill(_process.Id, 15));
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return _process.ExitCode;
    }

    /// <summary>Sends SIGKILL (a crash: no BYE, the socket file stays behind) and waits for the exit.</summary>
    public async Task KillAsync()
    {
        Assert.Equal(0, Kill(_process.Id, 9));
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        _process.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    private void OnLine(object sender, DataReceivedEventArgs e)
    {
        if (e.Data is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(e.Data);
        }

        if (e.Data.Contains("listening on", StringComparison.OrdinalIgnoreCase))
        {
            _listening.TrySetResult();
        }
    }
}
