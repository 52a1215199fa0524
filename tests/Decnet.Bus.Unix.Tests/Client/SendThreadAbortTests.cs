using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// The client's send loop runs on a thread of its own and waits for room in the kernel (docs/performance-history-4.md, part 17):
/// a broker that hangs with its socket open must not keep that thread, and with it the connection, from ending.
/// </summary>
public sealed class SendThreadAbortTests
{
    private static readonly Dictionary<string, byte[]> _payload = new() { ["blob"] = new byte[1024] };

    [Fact]
    public async Task AHungBrokerWithAFullSocket_IsLeftAfterTheKeepalive_TheSendThreadWaitingForRoomIsWoken()
    {
        using var dir = new TempSocketDir();
        await using var broker = new StuckBroker(dir.SocketPath); // disposed after the bus: its socket stays open throughout
        var options = TestBroker.NewOptions(dir.SocketPath);
        // Long enough that a loaded machine fills the socket before the silent broker is given up on (3 intervals).
        options.KeepaliveInterval = TimeSpan.FromSeconds(1);
        await using var bus = new UnixSocketBus(options);
        using var timeout = new CancellationTokenSource(TestBroker.Bound);

        await bus.PublishAsync("stuck.start", _payload);
        await broker.Welcomed.WaitAsync(timeout.Token);
        await bus.WaitForGenerationAsync(1, timeout.Token);
        var full = bus.SocketFullAsync();
        while (!full.IsCompleted)
        {
            // Bounded by time, not by a count of publishes: on a loaded machine the send thread may get no core while
            // a fixed number of publishes run (a bound of 1,000,000 ran out once in CI, after 3 s).
            Assert.False(timeout.IsCancellationRequested, "the socket never filled");
            _ = bus.PublishAsync("stuck.fill", _payload); // not awaited: a paced publish would wait for the broker
        }

        await full; // a fault here (the connection ended first) fails the test plainly

        // The send thread sleeps in poll(2) for room that never comes; the keepalive's abort must wake it.
        var changed = bus.ConnectionChanged;
        Assert.True(bus.IsConnected);
        await changed.WaitAsync(timeout.Token);

        Assert.False(bus.IsConnected);
    }
}
