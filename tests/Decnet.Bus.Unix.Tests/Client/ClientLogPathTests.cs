using Decnet.Bus.Unix.Tests.Support;
using Microsoft.Extensions.Options;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// The client's log lines quote its socket path escaped: the path may come from a file another process wrote.
/// </summary>
public sealed class ClientLogPathTests
{
    [Fact]
    public async Task ASocketPathWithControlCharacters_IsEscapedInTheClientsLogLines()
    {
        // "Cannot reach the bus broker at PATH" and "Connected to … at PATH" carried an ESC in the path raw.
        using var dir = new TempSocketDir();
        var path = Path.Combine(dir.Path, "c\u001b[31mRED.sock");
        var logger = new RecordingLogger();
        using var bound = new CancellationTokenSource(TestBroker.Bound);
        await using var bus = new UnixSocketBus(TestBroker.NewOptions(path), logger);

        await bus.PublishAsync("start", new { });
        var unreachable = await logger.NextLineAsync("Cannot reach the bus broker at", bound.Token);
        await using var server = new BusServer(Options.Create(TestBroker.NewOptions(path)));
        await server.StartAsync(bound.Token);
        var connected = await logger.NextLineAsync("Connected to the bus broker at", bound.Token);

        Assert.Contains($" at {UntrustedText.Escape(path)}:", unreachable, StringComparison.Ordinal);
        Assert.Contains($" at {UntrustedText.Escape(path)} (", connected, StringComparison.Ordinal);
        Assert.DoesNotContain(logger.Lines, l => l.Contains('\u001b', StringComparison.Ordinal));
        await server.StopAsync(bound.Token);
    }
}
