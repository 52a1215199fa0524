using System.Diagnostics;
using System.Threading.Channels;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Interop;

/// <summary>
/// Runs tests/interop/decnet_text_client.py (standard library only): one Python-protocol connection driven by commands
/// on its stdin, reporting what the broker sends as lines (READY, EVT, BYE, CLOSED, ERROR).
/// </summary>
internal sealed class PythonTextClient : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly Task _pump;

    private PythonTextClient(Process process)
    {
        _process = process;
        _pump = PumpAsync();
    }

    /// <summary>Starts the client and waits until it has connected and sent HELLO.</summary>
    public static async Task<PythonTextClient> StartAsync(string socketPath, string name)
    {
        if (!File.Exists(PythonClient.Interpreter))
        {
            Assert.Fail($"{PythonClient.Interpreter} is missing: the Python-protocol interop test needs python3; {StdlibPythonFactAttribute.InstallHint}.");
        }

        var info = new ProcessStartInfo(PythonClient.Interpreter)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(PythonClient.ScriptPath("decnet_text_client.py"));
        info.ArgumentList.Add(socketPath);
        info.ArgumentList.Add(name);
        var client = new PythonTextClient(Process.Start(info)!);
        Assert.Equal("READY", await client.NextLineAsync());
        return client;
    }

    public Task SendAsync(string command) => _process.StandardInput.WriteLineAsync(command).ContinueWith(_ => _process.StandardInput.FlushAsync(), TaskScheduler.Default).Unwrap();

    /// <summary>The next line the client printed (bounded); fails with its stderr when it ended instead.</summary>
    public async Task<string> NextLineAsync()
    {
        using var timeout = new CancellationTokenSource(TestBroker.Bound);
        try
        {
            return await _lines.Reader.ReadAsync(timeout.Token);
        }
        catch (ChannelClosedException)
        {
            Assert.Fail($"the Python text client ended early: {await _process.StandardError.ReadToEndAsync()}");
            throw;
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"the Python text client printed nothing within {TestBroker.Bound}");
            throw;
        }
    }

    /// <summary>The next line, which must be an EVT: its topic and envelope.</summary>
    public async Task<(string Topic, System.Text.Json.JsonElement Body)> NextEventAsync()
    {
        var line = await NextLineAsync();
        Assert.StartsWith("EVT ", line, StringComparison.Ordinal);
        var parts = line.Split(' ', 3);
        using var json = System.Text.Json.JsonDocument.Parse(parts[2]);
        return (parts[1], json.RootElement.Clone());
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await _pump;
        _process.Dispose();
    }

    private async Task PumpAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            _lines.Writer.TryWrite(line);
        }

        _lines.Writer.TryComplete();
    }
}
