using Decnet.Cli.Tests.Support;

namespace Decnet.Cli.Tests.Bus;

/// <summary>
/// <c>decnet pub</c> against a broker whose ACL (DECNET_BUS_ACL_FILE) refuses the topic: the broker answers ERR 12 and
/// drops the event, so the command must not report success (docs/operations.md, exit codes).
/// </summary>
public sealed class PubRefusalTests(RefusingBrokerFixture broker) : IClassFixture<RefusingBrokerFixture>
{
    [Fact]
    public async Task A_publish_the_acl_refuses_exits_77_with_one_line_naming_the_topic_and_the_reason()
    {
        var run = await CliRun.InvokeAsync(["pub", "secret.plans", "{}", "--socket", broker.SocketPath]);

        Assert.True(run.ExitCode == 77, run.ToString());
        var line = Assert.Single(CliRun.Lines(run.Error));
        Assert.StartsWith("pub: the broker refused the event on secret.plans: permission denied (ERR 12)", line, StringComparison.Ordinal);
        Assert.Empty(run.Output);
    }

    [Fact]
    public async Task A_publish_the_acl_allows_still_exits_0_silently()
    {
        var run = await CliRun.InvokeAsync(["pub", "open.news", "{}", "--socket", broker.SocketPath]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Empty(run.Error);
    }
}
