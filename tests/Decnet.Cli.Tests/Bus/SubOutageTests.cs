using Decnet.Bus;
using Decnet.Bus.Unix;
using Decnet.Cli.Tests.Support;

namespace Decnet.Cli.Tests.Bus;

/// <summary>
/// <c>decnet sub</c> while its broker dies and comes back: one stderr line when it starts waiting, one when it is
/// connected again, and it keeps printing afterwards (docs/operations.md, "Debugging").
/// </summary>
public sealed class SubOutageTests
{
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Sub_says_once_that_it_waits_for_a_broker_that_is_down_and_once_that_it_is_back()
    {
        using var socket = new TempSocket();
        var broker = await BrokerProcess.StartAsync(socket.Path);
        try
        {
            var error = new SignallingWriter("sub: subscribed to outage.>");
            using var stop = new CancellationTokenSource(_bound);
            var sub = CliRun.InvokeAsync(["sub", "outage.>", "--count", "1", "--socket", socket.Path], error, stop.Token);
            await error.Seen.WaitAsync(_bound);

            await broker.KillAsync();
            await broker.DisposeAsync();
            await error.Until("is down; waiting for it").WaitAsync(_bound);
            broker = await BrokerProcess.StartAsync(socket.Path);
            await error.Until("sub: reconnected to the broker at").WaitAsync(_bound);

            // "reconnected" is printed once the subscription is re-established, so one publish the broker has
            // processed (the flush barrier) reaches it.
            await using var publisher = await UnixSocketBus.ConnectAsync(new DecnetBusOptions { SocketPath = socket.Path, Group = string.Empty }, stop.Token);
            await publisher.PublishAsync("outage.after", new Dictionary<string, object?>());
            await publisher.FlushAsync(stop.Token);

            var run = await sub.WaitAsync(_bound);
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains("outage.after", run.Output, StringComparison.Ordinal);
            var lines = CliRun.Lines(error.ToString());
            Assert.Equal(
                [
                    $"sub: subscribed to outage.> at {socket.Path}",
                    $"sub: broker at {socket.Path} is down; waiting for it (events published meanwhile are lost)",
                    $"sub: reconnected to the broker at {socket.Path}",
                ],
                lines);
        }
        finally
        {
            await broker.DisposeAsync();
        }
    }
}
