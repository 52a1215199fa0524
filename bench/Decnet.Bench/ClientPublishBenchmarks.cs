using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using Decnet.Bus;
using Decnet.Bus.Unix;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bench;

/// <summary>
/// The client's publish path: <c>EncodePub</c> is FrameWriter.WritePub alone (id string, timestamp, typed payload),
/// <c>EncodePubClient</c> FrameWriter.WritePubWithNewId, the client's encoder (id written as UTF-8 in place);
/// <c>PublishAsync</c> is the whole call into a client connected to an in-process broker with no subscribers (the
/// send loop drains the outbox to the broker in the background). events/s = 1e9 / mean ns.
/// </summary>
[MemoryDiagnoser]
public class ClientPublishBenchmarks
{
    private static readonly MutationApplied _payload = new("decky-01", "ssh", 42, true);

    private readonly PooledBufferWriter _buffer = new(1024);
    private string _dir = null!;
    private BusServer _server = null!;
    private UnixSocketBus _bus = null!;
    private UnixSocketBus _sinkBus = null!;
    private Socket _sinkListener = null!;
    private Task _sink = Task.CompletedTask;

    [GlobalSetup]
    public async Task Setup()
    {
        _dir = Directory.CreateTempSubdirectory("dnbench").FullName;
        var options = new DecnetBusOptions { SocketPath = Path.Combine(_dir, "bus.sock"), Group = string.Empty, HeartbeatInterval = TimeSpan.Zero };
        _server = new BusServer(Microsoft.Extensions.Options.Options.Create(options));
        await _server.StartAsync(CancellationToken.None);
        _bus = await UnixSocketBus.ConnectAsync(options);

        var sinkOptions = new DecnetBusOptions { SocketPath = Path.Combine(_dir, "sink.sock"), HeartbeatInterval = TimeSpan.Zero };
        _sinkListener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _sinkListener.Bind(new UnixDomainSocketEndPoint(sinkOptions.SocketPath));
        _sinkListener.Listen();
        _sink = DrainAsync(_sinkListener);
        _sinkBus = await UnixSocketBus.ConnectAsync(sinkOptions);
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _bus.DisposeAsync();
        await _sinkBus.DisposeAsync();
        _sinkListener.Dispose();
        await _sink.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _server.StopAsync(CancellationToken.None);
        await _server.DisposeAsync();
        _buffer.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public int EncodePub()
    {
        _buffer.Reset();
        FrameWriter.WritePub(_buffer, "topology.t-42.mutation.applied", "applied", EventId.NewId(), 1795000000.5, _payload);
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public int EncodePubClient()
    {
        _buffer.Reset();
        FrameWriter.WritePubWithNewId(_buffer, "topology.t-42.mutation.applied", "applied", 1795000000.5, _payload);
        return _buffer.WrittenCount;
    }

    /// <summary>The client alone: its peer answers the handshake and then only reads and discards.</summary>
    [Benchmark]
    public ValueTask PublishAsync() => _sinkBus.PublishAsync("topology.t-42.mutation.applied", _payload, "applied");

    /// <summary>Through the real broker (in this process, so its allocations count here too).</summary>
    [Benchmark]
    public ValueTask PublishAsyncToBroker() => _bus.PublishAsync("topology.t-42.mutation.applied", _payload, "applied");

    private static async Task DrainAsync(Socket listener)
    {
        using var socket = await listener.AcceptAsync();
        var buffer = new byte[256 * 1024];
        await socket.ReceiveAsync(buffer, SocketFlags.None); // HELLO (a few bytes, one read)
        using (var welcome = new PooledBufferWriter())
        {
            FrameWriter.WriteWelcome(welcome, new WelcomeMessage(1, Environment.ProcessId, 1 << 20, 256, 1024, 1024));
            await socket.SendAsync(welcome.WrittenMemory, SocketFlags.None);
        }

        while (await socket.ReceiveAsync(buffer, SocketFlags.None) > 0)
        {
        }
    }

    /// <summary>A typical typed payload (contractless: public properties become string keys).</summary>
    public sealed record MutationApplied(string Decky, string Service, int Version, bool Ok);
}
