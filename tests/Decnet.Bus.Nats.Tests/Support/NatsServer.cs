using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Decnet.Bus.Nats.Tests.Support;

/// <summary>
/// A real <c>nats-server</c> (Debian package) on a free loopback port, its files in a private temp directory. Ready
/// when it logs "Server is ready"; <see cref="RestartAsync"/> stops it and starts it again on the same port.
/// </summary>
internal sealed class NatsServer : IAsyncDisposable
{
    public const string InstallHint = "install it with 'apt-get install nats-server' (CI does, see .ci/run)";

    // Linux's numbers on x86-64 and arm64, the architectures CI and DECNET hosts run.
    private const int _sigStop = 19;
    private const int _sigCont = 18;

    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(30);
    private static readonly Lazy<string?> _binary = new(FindBinary);
    private readonly string _directory = Directory.CreateTempSubdirectory("dnn").FullName;
    private readonly StringBuilder _log = new();
    private Process? _process;

    private readonly string? _config;

    private NatsServer(int port, string? config)
    {
        Port = port;
        _config = config;
    }

    /// <summary>The nats-server executable, or null when it is not installed.</summary>
    public static string? Binary => _binary.Value;

    public int Port { get; }

    public string Url => $"nats://127.0.0.1:{Port}";

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

    /// <summary>Starts a server; <paramref name="config"/>, when given, is its configuration file's text (kept across restarts).</summary>
    public static async Task<NatsServer> StartAsync(string? config = null)
    {
        var server = new NatsServer(FreePort(), config);
        await server.StartProcessAsync();
        return server;
    }

    /// <summary>Stops the server (SIGKILL: connections break as in a crash) and waits until it is gone.</summary>
    public async Task StopAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            process.Kill();
            await process.WaitForExitAsync().WaitAsync(_bound);
            process.Dispose();
        }
    }

    /// <summary>
    /// SIGSTOP: the server stops reading and writing but every TCP connection stays open (a stalled or overloaded
    /// server); <see cref="Resume"/> lets it go on.
    /// </summary>
    public void Suspend() => Signal(_sigStop);

    /// <summary>SIGCONT after <see cref="Suspend"/>.</summary>
    public void Resume() => Signal(_sigCont);

    public async Task RestartAsync()
    {
        await StopAsync();
        await StartProcessAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task StartProcessAsync()
    {
        var binary = Binary ?? throw new InvalidOperationException($"nats-server is not installed; {InstallHint}");
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var info = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _directory,
        };
        foreach (var arg in new[] { "-a", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-P", Path.Combine(_directory, "nats.pid") })
        {
            info.ArgumentList.Add(arg);
        }

        if (_config is not null)
        {
            var file = Path.Combine(_directory, "nats.conf");
            await File.WriteAllTextAsync(file, _config);
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add(file);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("nats-server did not start");
        DataReceivedEventHandler onLine = (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (_log)
            {
                _log.AppendLine(e.Data);
            }

            if (e.Data.Contains("Server is ready", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        };
        process.OutputDataReceived += onLine;
        process.ErrorDataReceived += onLine;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var first = await Task.WhenAny(ready.Task, process.WaitForExitAsync()).WaitAsync(_bound);
        if (first != ready.Task)
        {
            throw new InvalidOperationException($"nats-server exited before it was ready:\n{Log}");
        }
    }

    private void Signal(int signal)
    {
        var process = _process ?? throw new InvalidOperationException("nats-server is not running");
        if (Native.Kill(process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? FindBinary()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/sbin")
            .Append("/usr/bin")
            .Select(dir => Path.Combine(dir, "nats-server"))
            .FirstOrDefault(File.Exists);
    }
}
