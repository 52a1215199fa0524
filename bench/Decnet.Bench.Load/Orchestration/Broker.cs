using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Decnet.Bench.Load.Systems;
using Decnet.Bus;
using Decnet.Bus.Unix;

namespace Decnet.Bench.Load.Orchestration;

/// <summary>
/// One freshly started server of a system under test (a new one per run, so RSS starts clean). The bridged path is
/// several processes: <c>decnet bus</c> A, <c>decnet bridge</c> A, nats-server, <c>decnet bridge</c> B, <c>decnet bus</c> B.
/// </summary>
internal sealed class Broker : IDisposable
{
    private const string _probeTopic = "bench.probe";

    private readonly IReadOnlyList<ChildProcess> _processes;

    private Broker(IReadOnlyList<ChildProcess> processes, string target, string? publishTarget = null)
    {
        _processes = processes;
        Target = target;
        PublishTarget = publishTarget ?? target;
    }

    /// <summary>What subscribers connect to: a socket path, or a nats:// URL.</summary>
    public string Target { get; }

    /// <summary>What publishers connect to: <see cref="Target"/>, except on the bridged path (broker A).</summary>
    public string PublishTarget { get; }

    /// <summary>The subscribers' server's pid; -1 for the no-broker hop (its /proc samples read as zero).</summary>
    public int Pid => _processes.Count > 0 ? _processes[^1].Pid : -1;

    /// <summary>CPU ticks of every server-side process (all five on the bridged path).</summary>
    public long CpuTicks() => _processes.Sum(static p => ProcSample.Read(p.Pid).CpuTicks);

    public static async Task<Broker> StartAsync(BenchSettings settings, string system, string tag)
    {
        var log = settings.LogFile($"{system}-{tag}-server");
        var socket = Path.Combine(settings.TempDir, $"{system}-{tag}.sock");
        switch (system)
        {
            case LoadClients.Hop:
                return new Broker([], socket);

            case LoadClients.Decnet:
                return new Broker([await StartDecnetAsync(settings, socket, log)], socket);

            case LoadClients.Bridge:
                return await StartBridgedAsync(settings, tag);

            case LoadClients.Raw:
                {
                    var process = ChildProcess.Start(settings.SelfFile, [.. settings.SelfPrefix, "relay", "--target", socket], log, settings.PidFile);
                    await WaitForUnixAsync(socket, process);
                    return new Broker([process], socket);
                }

            case LoadClients.Redis:
                {
                    string[] args = ["--port", "0", "--unixsocket", socket, "--unixsocketperm", "700", "--save", string.Empty, "--appendonly", "no", "--dir", settings.TempDir, "--maxclients", "10000", "--daemonize", "no"];
                    var process = ChildProcess.Start(settings.RedisServer, args, log, settings.PidFile);
                    await WaitForUnixAsync(socket, process);
                    return new Broker([process], socket);
                }

            case LoadClients.Nats:
                {
                    var (process, url) = await StartNatsAsync(settings, log);
                    return new Broker([process], url);
                }

            default:
                throw new ArgumentException($"Unknown system '{system}'.");
        }
    }

    /// <summary>Bridges first (their last log line holds their counters), then the servers.</summary>
    public async Task StopAsync()
    {
        foreach (var process in _processes.OrderBy(static p => p.WatchesStderr ? 0 : 1))
        {
            await process.TerminateAsync(TimeSpan.FromSeconds(5));
        }
    }

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            process.Dispose();
        }
    }

    private static async Task<ChildProcess> StartDecnetAsync(BenchSettings settings, string socket, string log)
    {
        var env = new Dictionary<string, string>
        {
            ["DECNET_BUS_MAX_SUBSCRIPTIONS"] = "100000",
            ["DECNET_BUS_MAX_CONNECTIONS"] = "4096",

            // W5's 1,000 idle clients come from one process, so one uid, connecting at once: the per-uid and
            // handshake admission limits (256, 64) would refuse most of them (W5 measures idle cost, not admission).
            ["DECNET_BUS_MAX_CONNECTIONS_PER_UID"] = "4096",
            ["DECNET_BUS_MAX_HANDSHAKING"] = "4096",
        };
        var process = ChildProcess.Start(settings.DecnetCli, ["bus", "--socket", socket, "--group", string.Empty], log, settings.PidFile, env);
        await WaitForUnixAsync(socket, process);
        return process;
    }

    private static async Task<(ChildProcess Process, string Url)> StartNatsAsync(BenchSettings settings, string log)
    {
        var port = FreePort();
        var process = ChildProcess.Start(settings.NatsServer, ["-a", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture)], log, settings.PidFile);
        await WaitForTcpAsync(port, process);
        return (process, $"nats://127.0.0.1:{port}");
    }

    /// <summary>
    /// Host A's broker and bridge (exporting the bench topic), nats-server, host B's bridge (importing it) and broker:
    /// the deployment of docs/cross-host.md on one machine. Publishers use A, subscribers B.
    /// </summary>
    private static async Task<Broker> StartBridgedAsync(BenchSettings settings, string tag)
    {
        var system = LoadClients.Bridge;
        var socketA = Path.Combine(settings.TempDir, $"{system}-{tag}-a.sock");
        var socketB = Path.Combine(settings.TempDir, $"{system}-{tag}-b.sock");
        var brokerA = await StartDecnetAsync(settings, socketA, settings.LogFile($"{system}-{tag}-bus-a"));
        var brokerB = await StartDecnetAsync(settings, socketB, settings.LogFile($"{system}-{tag}-bus-b"));
        var (nats, url) = await StartNatsAsync(settings, settings.LogFile($"{system}-{tag}-nats"));
        var bridgeA = await StartBridgeAsync(settings, socketA, url, "--export", settings.LogFile($"{system}-{tag}-bridge-a"));
        var bridgeB = await StartBridgeAsync(settings, socketB, url, "--import", settings.LogFile($"{system}-{tag}-bridge-b"));
        var broker = new Broker([brokerA, bridgeA, nats, bridgeB, brokerB], socketB, socketA);
        try
        {
            await ProbeAsync(socketA, socketB);
            return broker;
        }
        catch
        {
            await broker.StopAsync();
            broker.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The acknowledgement that the whole path is live: a probe published on A arrives on B. Probes published while a
    /// bridge is still connecting can be lost (at-most-once), so one is sent every 50 ms until one arrives.
    /// </summary>
    private static async Task ProbeAsync(string socketA, string socketB)
    {
        await using var a = await UnixSocketBus.ConnectAsync(new DecnetBusOptions { SocketPath = socketA, Group = string.Empty, ClientName = "bench-probe" });
        await using var b = await UnixSocketBus.ConnectAsync(new DecnetBusOptions { SocketPath = socketB, Group = string.Empty, ClientName = "bench-probe" });
        await using var subscription = await b.SubscribeAsync(_probeTopic);
        await using var events = subscription.GetAsyncEnumerator();
        var arrived = events.MoveNextAsync().AsTask();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!arrived.IsCompleted)
        {
            if (bound.IsCancellationRequested)
            {
                throw new TimeoutException("no probe crossed bus A → bridge → nats-server → bridge → bus B within 60 s");
            }

            await a.PublishAsync(_probeTopic, new Dictionary<string, object?>());
            await Task.WhenAny(arrived, Task.Delay(50));
        }

        await arrived;
    }

    private static async Task<ChildProcess> StartBridgeAsync(BenchSettings settings, string socket, string url, string direction, string log)
    {
        // The bench topic (W1 and W3 publish on "bench") and the probe; --log-interval 0 logs the counters once, at exit.
        string[] args = ["bridge", "--socket", socket, "--nats", url, direction, "bench", direction, _probeTopic, "--log-interval", "0"];
        var process = ChildProcess.Start(settings.DecnetCli, args, log, settings.PidFile, watchStderr: true);

        // "running": its subscriptions are in place (the NATS side may still be connecting: ProbeAsync waits for that).
        await process.WaitForErrorLineAsync(static l => l.StartsWith("bridge: ", StringComparison.Ordinal) && l.Contains(" running between ", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        return process;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Task WaitForUnixAsync(string path, ChildProcess process) =>
        WaitForAsync(process, () => new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified), new UnixDomainSocketEndPoint(path));

    private static Task WaitForTcpAsync(int port, ChildProcess process) =>
        WaitForAsync(process, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp), new IPEndPoint(IPAddress.Loopback, port));

    private static async Task WaitForAsync(ChildProcess process, Func<Socket> create, EndPoint endPoint)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            using var probe = create();
            try
            {
                await probe.ConnectAsync(endPoint);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                // Polling for a server's socket is the one wait with nothing to await: the server is another program.
                await Task.Delay(50);
            }
        }
    }
}
