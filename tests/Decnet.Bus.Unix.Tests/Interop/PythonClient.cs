using System.Diagnostics;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Interop;

/// <summary>Runs tests/interop/decnet_bus_client.py under Debian's python3 and reads its output line by line.</summary>
internal sealed class PythonClient : IAsyncDisposable
{
    /// <summary>The system interpreter: the pyenv python3 on PATH has no msgpack.</summary>
    public const string Interpreter = "/usr/bin/python3";

    public const string InstallHint = "install it with `apt-get install -y python3-msgpack` (CI does)";

    private readonly Process _process;

    private PythonClient(Process process) => _process = process;

    public int Pid => _process.Id;

    /// <summary>Fails the test when the interpreter or its msgpack module is missing (reached only when CI requires peers).</summary>
    public static async Task EnsureAvailableAsync()
    {
        if (!File.Exists(Interpreter))
        {
            Assert.Fail($"{Interpreter} is missing: the Python interop test needs Debian's python3 with msgpack; {InstallHint}.");
        }

        using var probe = Process.Start(new ProcessStartInfo(Interpreter, ["-c", "import msgpack"]) { RedirectStandardError = true })!;
        var error = await probe.StandardError.ReadToEndAsync();
        await probe.WaitForExitAsync().WaitAsync(TestBroker.Bound);
        if (probe.ExitCode != 0)
        {
            Assert.Fail($"{Interpreter} cannot import msgpack; {InstallHint}. ({error.Trim()})");
        }
    }

    public static PythonClient Start(params string[] arguments) => Start([], arguments);

    /// <summary>Starts the script with <paramref name="environment"/> added to this process's environment.</summary>
    public static PythonClient Start(IEnumerable<KeyValuePair<string, string>> environment, params string[] arguments)
    {
        var info = new ProcessStartInfo(Interpreter)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        info.ArgumentList.Add(ScriptPath());
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return new PythonClient(Process.Start(info)!);
    }

    /// <summary>Next stdout line (bounded); fails with the script's stderr when it ended instead.</summary>
    public async Task<string> ReadLineAsync()
    {
        using var timeout = new CancellationTokenSource(TestBroker.Bound);
        var line = await _process.StandardOutput.ReadLineAsync(timeout.Token);
        if (line is null)
        {
            Assert.Fail($"the Python client ended early: {await _process.StandardError.ReadToEndAsync()}");
        }

        return line;
    }

    /// <summary>Waits for the script to exit and asserts it succeeded.</summary>
    public async Task ExpectSuccessAsync()
    {
        using var timeout = new CancellationTokenSource(TestBroker.Bound);
        await _process.WaitForExitAsync(timeout.Token);
        var error = await _process.StandardError.ReadToEndAsync();
        Assert.True(_process.ExitCode == 0, $"the Python client exited with {_process.ExitCode}: {error}");
    }

    /// <summary>
    /// Asserts the script is still running after <paramref name="period"/>: for a client that must not give up on
    /// its own (the period is the input, not a wait for something to settle); fails with its exit code and stderr.
    /// </summary>
    public async Task ExpectRunningAfterAsync(TimeSpan period)
    {
        using var timeout = new CancellationTokenSource(period);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        Assert.Fail($"the Python client exited with {_process.ExitCode} within {period}: {await _process.StandardError.ReadToEndAsync()}");
    }

    /// <summary>Waits for the script to exit (bounded) and returns its exit code and stderr.</summary>
    public async Task<(int ExitCode, string Error)> ExitAsync()
    {
        using var timeout = new CancellationTokenSource(TestBroker.Bound);
        await _process.WaitForExitAsync(timeout.Token);
        return (_process.ExitCode, await _process.StandardError.ReadToEndAsync());
    }

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>The path of a script in tests/interop.</summary>
    public static string ScriptPath(string script = "decnet_bus_client.py")
    {
        // Tests run from bin/<config>/<tfm> inside the repository: walk up to the folder that holds tests/interop.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "interop", script);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"tests/interop/{script} not found above " + AppContext.BaseDirectory);
    }
}
