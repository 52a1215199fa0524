using System.Diagnostics;
using System.Text;

namespace Decnet.Cli.Tests.Support;

/// <summary>
/// <c>decnet sub</c> as a real child process with its stdout as a pipe the test reads (or closes); ready once it says
/// "subscribed" on stderr, the acknowledgement scripts wait for.
/// </summary>
internal sealed class SubProcess : IAsyncDisposable
{
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(30);
    private readonly StringBuilder _error = new();
    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SubProcess(Process process)
    {
        Process = process;
        Process.ErrorDataReceived += OnError;
        Process.BeginErrorReadLine();
    }

    public Process Process { get; }

    /// <summary>Everything the process wrote on stderr so far.</summary>
    public string Error
    {
        get
        {
            lock (_error)
            {
                return _error.ToString();
            }
        }
    }

    /// <summary>Starts <c>decnet sub ARGS --socket PATH</c> and waits until it is subscribed (or has exited).</summary>
    public static async Task<SubProcess> StartAsync(string socketPath, params string[] args)
    {
        var sub = new SubProcess(BrokerProcess.StartCli([.. args, "--socket", socketPath]));
        await Task.WhenAny(sub._subscribed.Task, sub.Process.WaitForExitAsync()).WaitAsync(_bound);
        if (!sub._subscribed.Task.IsCompleted)
        {
            throw new InvalidOperationException($"sub exited with {sub.Process.ExitCode} before subscribing:\n{sub.Error}");
        }

        return sub;
    }

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            Process.Kill();
            await Process.WaitForExitAsync().WaitAsync(_bound);
        }

        Process.Dispose();
    }

    private void OnError(object sender, DataReceivedEventArgs e)
    {
        if (e.Data is null)
        {
            return;
        }

        lock (_error)
        {
            _error.AppendLine(e.Data);
        }

        if (e.Data.Contains("subscribed", StringComparison.Ordinal))
        {
            _subscribed.TrySetResult();
        }
    }
}
