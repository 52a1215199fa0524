using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// The bus's connection loop, started by its first publish, lives as long as the bus: it must not carry that caller's
/// async-locals (a request's scope, a trace, a user's handler state) for the bus's lifetime, nor pass them on to what
/// it starts.
/// </summary>
public sealed class RunLoopContextTests
{
    private static readonly AsyncLocal<string?> _caller = new();

    [Fact]
    public async Task TheConnectionLoop_KeepsNoAsyncLocalOfTheFirstPublisher()
    {
        using var dir = new TempSocketDir();
        var logger = new FlowProbeLogger<UnixSocketBus>("Cannot reach the bus broker", static () => _caller.Value);
        await using var bus = new UnixSocketBus(TestBroker.NewOptions(dir.SocketPath), logger);

        _caller.Value = "the first publisher's request";
        await bus.PublishAsync("start", new { });
        _caller.Value = null;

        // Logged by the loop (no broker listens): what it sees of the publisher's flow.
        var seen = await logger.Seen.WaitAsync(TestBroker.Bound);
        Assert.Null(seen);
    }
}
