using Decnet.Bus.Unix;
using Decnet.Cli.Bus;
using Decnet.Cli.Tests.Support;

namespace Decnet.Cli.Tests.Bus;

/// <summary>
/// <c>decnet sub '>' --json | head -1</c> exits once its reader is gone (docs/reliability.md, "Hostile input II",
/// item 9): the next write fails with EPIPE and the command exits 0, as <c>grep</c> and <c>nats sub</c> do.
/// </summary>
public sealed class BrokenPipeTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData("--json")]
    [InlineData("--count=0")]
    public async Task Sub_exits_0_when_the_reader_closes_the_pipe(string mode)
    {
        await using var sub = await SubProcess.StartAsync(broker.SocketPath, "sub", "pipe.test.>", mode);
        await using var bus = await UnixSocketBus.ConnectAsync(CliBusOptions.Load(broker.SocketPath, clientName: "pipe-test"));

        // The reader takes one line, as head -1 does, and closes its end of the pipe.
        await bus.PublishAsync("pipe.test.first", new Dictionary<string, object?> { ["n"] = 1 });
        var first = await sub.Process.StandardOutput.ReadLineAsync().WaitAsync(_bound);
        Assert.Contains("pipe.test.first", first, StringComparison.Ordinal);
        sub.Process.StandardOutput.Close();

        // The next event is written into a pipe without a reader: EPIPE, and sub must stop.
        await bus.PublishAsync("pipe.test.second", new Dictionary<string, object?> { ["n"] = 2 });
        await bus.GetBrokerStatsAsync();
        await sub.Process.WaitForExitAsync().WaitAsync(_bound);

        Assert.True(sub.Process.ExitCode == 0, $"exit {sub.Process.ExitCode}\n{sub.Error}");
        Assert.DoesNotContain("error", sub.Error, StringComparison.OrdinalIgnoreCase);
    }
}
