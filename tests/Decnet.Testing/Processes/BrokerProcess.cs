using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Decnet.Testing;

/// <summary>
/// <c>decnet bus</c> as a real child process (the built decnet.dll next to the tests). Ready when it logs that it is
/// listening; stopped with SIGTERM so shutdown is the production path.
/// </summary>
internal sealed partial class BrokerProcess : IAsyncDisposable
{
    /// <summary>DOTNET_GCgen0size of the shipped unit: hexadecimal, 16 MiB.</summary>
    internal const string BrokerGen0Size = "1000000";

    /// <summary>Signal numbers (the same on x86-64 and ARM64 Linux).</summary>
    public const int SigInt = 2;

    public const int SigCont = 18;

    public const int SigStop = 19;

    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(30);
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private BrokerProcess(Process process)
    {
        _process = process;
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

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

    public static string CliDll => Path.Combine(AppContext.BaseDirectory, "decnet.dll");

    /// <summary>Starts <c>decnet bus --socket PATH --group ""</c> plus <paramref name="extraArgs"/>.</summary>
    public static Process StartCli(params string[] args) => StartCli(new Dictionary<string, string>(), args);

    /// <summary>Starts the CLI with <paramref name="args"/>, no inherited DECNET_* variables, plus <paramref name="environment"/>.</summary>
    public static Process StartCli(IReadOnlyDictionary<string, string> environment, params string[] args)
        => StartCli(environment, [], args);

    /// <summary>
    /// Starts the CLI like <see cref="StartCli(IReadOnlyDictionary{string, string}, string[])"/>, run through
    /// <paramref name="launcher"/> (e.g. <c>setpriv --reuid=… --</c>) when it is not empty.
    /// </summary>
    public static Process StartCli(IReadOnlyDictionary<string, string> environment, IReadOnlyList<string> launcher, params string[] args)
    {
        var info = new ProcessStartInfo(launcher.Count > 0 ? launcher[0] : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (launcher.Count > 0)
        {
            foreach (var word in launcher.Skip(1))
            {
                info.ArgumentList.Add(word);
            }

            info.ArgumentList.Add("dotnet");
        }

        info.ArgumentList.Add(CliDll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // Isolate from the developer's environment: only the flags decide.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("DECNET_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(key);
        }

        // The broker runs with the gen0 budget the shipped unit gives it (deploy/decnet-bus.service): the runtime's
        // default follows the L3 cache, which on a 260 MiB-L3 host let ~40 MB of garbage build up between collections
        // and made RSS figures depend on the machine rather than on the broker.
        info.Environment["DOTNET_GCgen0size"] = BrokerGen0Size;

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        return Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
    }

    /// <summary>Starts <c>decnet bus</c> on <paramref name="socketPath"/>, with optional DECNET_BUS_* <paramref name="environment"/>.</summary>
    public static Task<BrokerProcess> StartAsync(string socketPath, IReadOnlyDictionary<string, string>? environment = null)
        => StartAsync(environment ?? new Dictionary<string, string>(), [], "bus", "--socket", socketPath, "--group", "");

    /// <summary>Starts the CLI with <paramref name="args"/> (through <paramref name="launcher"/> if any) and waits until it listens.</summary>
    public static async Task<BrokerProcess> StartAsync(IReadOnlyDictionary<string, string> environment, IReadOnlyList<string> launcher, params string[] args)
    {
        var broker = new BrokerProcess(StartCli(environment, launcher, args));
        broker._process.OutputDataReceived += broker.OnLine;
        broker._process.ErrorDataReceived += broker.OnLine;
        broker._process.BeginOutputReadLine();
        broker._process.BeginErrorReadLine();

        var exited = broker._process.WaitForExitAsync();
        var first = await Task.WhenAny(broker._listening.Task, exited).WaitAsync(_bound);
        if (first == exited)
        {
            throw new InvalidOperationException($"decnet bus exited with {broker._process.ExitCode} before listening:\n{broker.Log}");
        }

        return broker;
    }

    /// <summary>Sends SIGTERM and waits for the exit code.</summary>
    public async Task<int> TerminateAsync()
    {
        if (!_process.HasExited)
        {
            _ = Kill(_process.Id, 15);
        }

        await _process.WaitForExitAsync().WaitAsync(_bound);
        return _process.ExitCode;
    }

    /// <summary>
    /// SIGSTOP: the broker stops reading and writing while every connection stays open (a hung broker), so its
    /// clients' writes back up; <see cref="Resume"/> lets it go on.
    /// </summary>
    public void Suspend() => Signal(_process, SigStop);

    /// <summary>SIGCONT after <see cref="Suspend"/>.</summary>
    public void Resume() => Signal(_process, SigCont);

    /// <summary>Sends <paramref name="signal"/> (e.g. <see cref="SigInt"/>) to <paramref name="process"/>.</summary>
    public static void Signal(Process process, int signal)
    {
        if (Kill(process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>SIGKILL, as a crash: no BYE, the socket file stays behind.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync().WaitAsync(_bound);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(_bound);
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
