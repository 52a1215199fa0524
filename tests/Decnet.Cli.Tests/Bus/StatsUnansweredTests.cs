using Decnet.Cli.Tests.Support;

namespace Decnet.Cli.Tests.Bus;

/// <summary>
/// <c>decnet stats</c> against a broker that completes the handshake and then never answers the STATS request: the
/// bus is unavailable to it (exit 69, one line), not an internal error (exit 70 with the exception's type).
/// </summary>
public sealed class StatsUnansweredTests : IAsyncLifetime
{
    private readonly TempSocket _broker = new();
    private readonly TempSocket _proxied = new();
    private BrokerProcess? _process;

    public async Task InitializeAsync() => _process = await BrokerProcess.StartAsync(_broker.Path);

    public async Task DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        _broker.Dispose();
        _proxied.Dispose();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_broker_that_never_sends_the_stats_reply_exits_69_with_one_line(bool json)
    {
        await using var proxy = new BrokerFaultProxy(_proxied.Path, _broker.Path, BrokerFault.Hangs);
        string[] args = json ? ["stats", "--json", "--socket", _proxied.Path] : ["stats", "--socket", _proxied.Path];

        // The STATS reply is awaited for 5 s (UnixSocketBus.StatsTimeout); the bound only fails a hang.
        var run = await CliRun.InvokeAsync(args).WaitAsync(TimeSpan.FromSeconds(40));

        Assert.True(proxy.Faulted.Task.IsCompleted, "the proxy never saw the STATS request: the test proves nothing");
        Assert.True(run.ExitCode == 69, run.ToString());
        var line = Assert.Single(CliRun.Lines(run.Error));
        Assert.StartsWith($"stats: the broker at {_proxied.Path} did not answer STATS within 5 s", line, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", line, StringComparison.Ordinal);
        Assert.Empty(run.Output);
    }
}
