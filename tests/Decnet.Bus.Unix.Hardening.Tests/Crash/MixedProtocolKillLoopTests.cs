using Decnet.Bus.Unix.Hardening.Tests.Support;
using Decnet.Bus.Unix.Tests.Interop;
using Xunit.Abstractions;

namespace Decnet.Bus.Unix.Hardening.Tests.Crash;

public sealed class MixedProtocolKillLoopTests(ITestOutputHelper output)
{
    /// <summary>
    /// <c>decnet bus</c> killed with SIGKILL and restarted, again and again, with a .NET client (which reconnects by
    /// itself) and a Python-protocol client (which, like DECNET's own, does not: its worker is restarted, here a new
    /// process per cycle). After every restart the broker accepts the Python client again and routes both ways:
    /// Python → .NET and .NET → Python.
    /// </summary>
    [StdlibPythonFact]
    public async Task SigkillLoop_BrokerAcceptsTheReturningPythonClient_AndRoutesBothWaysEveryCycle()
    {
        var cycles = FuzzInputs.Iterations("DECNET_KILL_CYCLES", 8);
        var directory = Directory.CreateTempSubdirectory("dnm").FullName;
        var socketPath = Path.Combine(directory, "bus.sock");
        try
        {
            var broker = await BrokerProcess.StartAsync(socketPath);
            var options = LiveBroker.NewOptions(socketPath);
            options.ClientName = "dotnet";
            await using var dotnet = new UnixSocketBus(options);
            await using var subscription = await dotnet.SubscribeAsync("mixed.py.>");
            await using var events = subscription.GetAsyncEnumerator(CancellationToken.None);
            for (var cycle = 0; cycle <= cycles; cycle++)
            {
                if (cycle > 0)
                {
                    await broker.KillAsync();
                    await broker.DisposeAsync();
                    broker = await BrokerProcess.StartAsync(socketPath);
                }

                await using var python = await PythonTextClient.StartAsync(socketPath, $"py-{cycle}");
                await python.SendAsync($"sub mixed.net.{cycle}");

                // Python → .NET: markers until one arrives (the .NET client may still be re-subscribing); the SUB above
                // went first on the same connection, so it is in place once a marker is through.
                await AwaitPythonMarkerAsync(python, events, $"cycle-{cycle}");

                await dotnet.PublishAsync($"mixed.net.{cycle}", new Dictionary<string, int> { ["cycle"] = cycle });
                var (topic, body) = await python.NextEventAsync();
                Assert.Equal($"mixed.net.{cycle}", topic);
                Assert.Equal(cycle, body.GetProperty("payload").GetProperty("cycle").GetInt32());
            }

            await broker.DisposeAsync();
            output.WriteLine($"{cycles} SIGKILL cycles; a new Python client was accepted and routed both ways after each; the .NET subscription reconnected {subscription.Reconnected} times");
            Assert.Equal(cycles, subscription.Reconnected);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task AwaitPythonMarkerAsync(PythonTextClient python, IAsyncEnumerator<BusEvent> events, string marker)
    {
        using var deadline = new CancellationTokenSource(LiveBroker.Bound);
        var next = events.MoveNextAsync().AsTask();
        while (true)
        {
            while (!next.IsCompleted)
            {
                deadline.Token.ThrowIfCancellationRequested();
                await python.SendAsync($$"""pub mixed.py.marker {{marker}} {}""");

                // Paces the retries (each one is a process's stdin line); the arrival, not the delay, ends the wait.
                await Task.WhenAny(next, Task.Delay(20, deadline.Token).ContinueWith(_ => { }, TaskScheduler.Default));
            }

            Assert.True(await next, "the subscription ended");
            if (events.Current.Type == marker)
            {
                return;
            }

            next = events.MoveNextAsync().AsTask();
        }
    }
}
