using Decnet.Cli.Tests.Support;

namespace Decnet.Cli.Tests.Bus;

/// <summary>
/// <c>decnet pub</c> whose broker goes away between the publish and the flush's PONG: nothing proves the event was
/// routed, so the command must not exit 0 (docs/operations.md, exit codes), and says so in one line.
/// </summary>
public sealed class PubUnconfirmedTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task A_connection_lost_before_the_flush_reply_exits_69_with_one_line_saying_the_event_may_be_lost()
    {
        using var proxied = new TempSocket();
        await using var proxy = new BrokerFaultProxy(proxied.Path, broker.SocketPath, BrokerFault.DiesBeforeReplying);

        var run = await CliRun.InvokeAsync(["pub", "cli.unconfirmed", "{}", "--socket", proxied.Path]);

        await proxy.Faulted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(run.ExitCode == 69, run.ToString());
        var line = Assert.Single(CliRun.Lines(run.Error));
        Assert.Equal(
            $"pub: the broker at {proxied.Path} did not confirm the event on cli.unconfirmed (the connection was lost "
            + "before the flush reply); it may not have been delivered",
            line);
        Assert.Empty(run.Output);
    }

    [Fact]
    public async Task A_broker_that_never_answers_the_flush_exits_69_within_the_flush_bound_not_never()
    {
        // A hung broker: the keepalive would end the connection only after about three intervals (never with
        // DECNET_BUS_KEEPALIVE_S=0), and a script's pub must not hang on it.
        using var proxied = new TempSocket();
        await using var proxy = new BrokerFaultProxy(proxied.Path, broker.SocketPath, BrokerFault.Hangs);

        var run = await CliRun.InvokeAsync(["pub", "cli.hung", "{}", "--socket", proxied.Path]).WaitAsync(TimeSpan.FromSeconds(40));

        Assert.True(proxy.Faulted.Task.IsCompleted, "the proxy never saw the publish: the test proves nothing");
        Assert.True(run.ExitCode == 69, run.ToString());
        var line = Assert.Single(CliRun.Lines(run.Error));
        Assert.Equal(
            $"pub: the broker at {proxied.Path} did not confirm the event on cli.hung (no flush reply within 15 s); it may "
            + "not have been delivered",
            line);
    }
}
