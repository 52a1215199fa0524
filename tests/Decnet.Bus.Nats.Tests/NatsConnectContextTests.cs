using Microsoft.Extensions.Logging;

namespace Decnet.Bus.Nats.Tests;

/// <summary>
/// The NATS bus's background connect, started by its first publish, lives as long as the bus: it must not carry that
/// caller's async-locals for the bus's lifetime, nor pass them on to what it starts.
/// </summary>
public sealed class NatsConnectContextTests
{
    private static readonly AsyncLocal<string?> _caller = new();

    [Fact]
    public async Task TheBackgroundConnect_KeepsNoAsyncLocalOfTheFirstPublisher()
    {
        var options = new DecnetBusOptions { Type = DecnetBusOptions.NatsTransport };
        options.Nats.Url = "nats://127.0.0.1:1"; // nothing listens on port 1
        var logger = new FlowProbeLogger<NatsBus>("cannot connect", static () => _caller.Value);
        using var factory = LoggerFactory.Create(builder => builder.AddProvider(logger));
        await using var bus = new NatsBus(options, factory);

        _caller.Value = "the first publisher's request";
        await bus.PublishAsync("start", new Dictionary<string, int>());
        _caller.Value = null;

        // Logged by the background connect (no server listens): what it sees of the publisher's flow.
        var seen = await logger.Seen.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Null(seen);
    }
}
