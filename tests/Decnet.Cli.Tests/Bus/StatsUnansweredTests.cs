using Decnet.Cli.Tests.Support;

namespace Decnet.Cli.Tests.Bus;

/// <summary>
/// <c>decnet stats</c> against a broker that completes the handshake and then never answers the STATS request: the
/// bus is unavailable to it (exit 69, one line), not an internal error (exit 70 with the exception's type).
/// </summary>
public sealed class StatsUnansweredTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_broker_that_never_sends_the_stats_reply_exits_69_with_one_line(bool json)
    {
        using var proxied = new TempSocket();
        await using var proxy = new BrokerFaultProxy(proxied.Path, broker.SocketPath, BrokerFault.Hangs);
        string[] args = json ? ["stats", "--json", "--socket", proxied.Path] : ["stats", "--socket", proxied.Path];

        // The STATS reply is awaited for 5 s (UnixSocketBus.StatsTimeout); the bound only fails a hang.
        var run = await CliRun.InvokeAsync(args).WaitAsync(TimeSpan.FromSeconds(40));

        Assert.True(proxy.Faulted.Task.IsCompleted, "the proxy never saw the STATS request: the test proves nothing");
        Assert.True(run.ExitCode == 69, run.ToString());
        var line = Assert.Single(CliRun.Lines(run.Error));
        Assert.StartsWith($"stats: the broker at {proxied.Path} did not answer STATS within 5 s", line, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", line, StringComparison.Ordinal);
        Assert.Empty(run.Output);
    }
}
