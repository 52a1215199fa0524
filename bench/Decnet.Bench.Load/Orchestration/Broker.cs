using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Decnet.Bench.Load.Systems;

namespace Decnet.Bench.Load.Orchestration;

/// <summary>One freshly started server of a system under test (a new one per run, so RSS starts clean).</summary>
internal sealed class Broker : IDisposable
{
    private readonly ChildProcess? _process;

    private Broker(ChildProcess? process, string target)
    {
        _process = process;
        Target = target;
    }

    /// <summary>What clients connect to: a socket path, or a nats:// URL.</summary>
    public string Target { get; }

    /// <summary>The server's pid; -1 for the no-broker hop (its /proc samples read as zero).</summary>
    public int Pid => _process?.Pid ?? -1;

    public static async Task<Broker> StartAsync(BenchSettings settings, string system, string tag)
    {
        var log = settings.LogFile($"{system}-{tag}-server");
        var socket = Path.Combine(settings.TempDir, $"{system}-{tag}.sock");
        switch (system)
        {
            case LoadClients.Hop:
                return new Broker(null, socket);

            case LoadClients.Decnet:
                {
                    var env = new Dictionary<string, string>
                    {
                        ["DECNET_BUS_MAX_SUBSCRIPTIONS"] = "100000",
                        ["DECNET_BUS_MAX_CONNECTIONS"] = "4096",
                    };
                    var process = ChildProcess.Start(settings.DecnetCli, ["bus", "--socket", socket, "--group", string.Empty], log, settings.PidFile, env);
                    await WaitForUnixAsync(socket, process);
                    return new Broker(process, socket);
                }

            case LoadClients.Raw:
                {
                    var process = ChildProcess.Start(settings.SelfFile, [.. settings.SelfPrefix, "relay", "--target", socket], log, settings.PidFile);
                    await WaitForUnixAsync(socket, process);
                    return new Broker(process, socket);
                }

            case LoadClients.Redis:
                {
                    string[] args = ["--port", "0", "--unixsocket", socket, "--unixsocketperm", "700", "--save", string.Empty, "--appendonly", "no", "--dir", settings.TempDir, "--maxclients", "10000", "--daemonize", "no"];
                    var process = ChildProcess.Start(settings.RedisServer, args, log, settings.PidFile);
                    await WaitForUnixAsync(socket, process);
                    return new Broker(process, socket);
                }

            case LoadClients.Nats:
                {
                    var port = FreePort();
                    var process = ChildProcess.Start(settings.NatsServer, ["-a", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture)], log, settings.PidFile);
                    await WaitForTcpAsync(port, process);
                    return new Broker(process, $"nats://127.0.0.1:{port}");
                }

            default:
                throw new ArgumentException($"Unknown system '{system}'.");
        }
    }

    public Task StopAsync() => _process?.TerminateAsync(TimeSpan.FromSeconds(5)) ?? Task.CompletedTask;

    public void Dispose() => _process?.Dispose();

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
