using Decnet.Bus.Unix;
using Decnet.Cli.Bus;

namespace Decnet.Cli.Tests.Bus;

public sealed class StatsTableTests
{
    [Fact]
    public void Format_SaysTheTotalsIncludeTheBrokersHeartbeats()
    {
        var stats = new BrokerStats(42, 60, 12, 30, 1, [new BrokerConnectionStats("worker", 7, 1000, 1000, 1, 0, 1, 30, 12)]);

        var lines = StatsTable.Format(stats, "/run/decnet/bus.sock").ReplaceLineEndings("\n").Split('\n');

        Assert.Equal("published 12  delivered 30  dropped 1  connections 1", lines[1]);
        Assert.Equal("(totals, and DELIVERED and DROPPED below, include the broker's heartbeats on system.bus.health)", lines[2]);
    }
}
