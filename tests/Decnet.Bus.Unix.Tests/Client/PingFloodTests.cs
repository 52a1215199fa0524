using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// A PING costs the client a PONG it owes, not a frame queued for it: a broker that floods PINGs while it reads
/// nothing (each PING is a read, so the keepalive never cuts it) must not grow the client's memory with them, and
/// once it reads again it still gets one PONG per PING (docs/wire-protocol.md §4.5).
/// </summary>
public sealed class PingFloodTests
{
    private const int _pings = 200_000;
    private static readonly Dictionary<string, byte[]> _payload = new() { ["blob"] = new byte[1024] };

    [Fact]
    public async Task APingFloodFromABrokerThatReadsNothing_QueuesNoFramePerPing_AndEachIsAnsweredOnceItReads()
    {
        using var dir = new TempSocketDir();
        var log = new RecordingLogger();
        await using var bus = new UnixSocketBus(TestBroker.NewOptions(dir.SocketPath), log);

        // Disposed before the bus: closing the stuck socket is what lets the bus's send loop end.
        await using var broker = new StuckBroker(dir.SocketPath);
        using var timeout = new CancellationTokenSource(TestBroker.Bound);
        await bus.PublishAsync("flood.start", _payload);
        await broker.Welcomed.WaitAsync(timeout.Token);
        await bus.WaitForGenerationAsync(1, timeout.Token);

        // The socket fills, so the send loop waits in a send and takes nothing the PINGs add meanwhile.
        var full = bus.SocketFullAsync();
        while (!full.IsCompleted)
        {
            Assert.False(timeout.IsCancellationRequested, "the socket never filled");
            _ = bus.PublishAsync("flood.fill", _payload); // not awaited: a paced publish would wait for the broker
        }

        await full;

        // The refused PUB behind the PINGs is a barrier: its log line is written once every PING has been handled.
        var ping = FrameBytes.Of(static b => FrameWriter.WriteSimple(b, FrameKind.Ping));
        var flood = new byte[ping.Length * _pings];
        for (var i = 0; i < _pings; i++)
        {
            ping.CopyTo(flood, i * ping.Length);
        }

        await broker.SendAsync(flood);
        await broker.SendAsync(FrameBytes.Of(static b => FrameWriter.WriteRequestErr(b, BusErrorCode.InvalidTopic, "barrier", FrameKind.Pub, 0)));
        await log.WaitForAsync(static l => l.Contains("refused a publish", StringComparison.Ordinal));

        Assert.InRange(bus.QueuedControlFrames, 0, 1);
        Assert.True(bus.IsConnected);
        Assert.True(await broker.ReadUntilAsync(FrameKind.Pong, _pings), "the client closed before answering every PING");
        Assert.True(bus.IsConnected);
    }
}
