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

                // Python → .NET, once the .NET client has reconnected and re-subscribed (its generation counts connections
                // handshaken and re-subscribed, acknowledgements included); the SUB above went first on the Python
                // connection, so it is in place once the marker is through.
                using (var bound = new CancellationTokenSource(LiveBroker.Bound))
                {
                    await dotnet.WaitForGenerationAsync(cycle + 1, bound.Token);
                }

                var marker = $"cycle-{cycle}";
                await python.SendAsync($$"""pub mixed.py.marker {{marker}} {}""");
                Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(LiveBroker.Bound), "the subscription ended");
                Assert.Equal(marker, events.Current.Type);

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
}
