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

    [Fact]
    public void Format_ShowsEachConnectionsProtocol()
    {
        var stats = new BrokerStats(42, 60, 0, 0, 0,
        [
            new BrokerConnectionStats("dotnet-worker", 7, 1000, 1000, 1, 0, 0, 0, 0),
            new BrokerConnectionStats("decnet-bus-client[8]", 8, 1000, 1000, 2, 0, 0, 0, 0) { Protocol = BrokerConnectionStats.PythonProtocol },
        ]);

        var lines = StatsTable.Format(stats, "/run/decnet/bus.sock").ReplaceLineEndings("\n").Split('\n');
        var header = Array.FindIndex(lines, l => l.StartsWith("NAME", StringComparison.Ordinal));

        Assert.Equal(["NAME", "PROTO", "PID"], lines[header].Split(' ', StringSplitOptions.RemoveEmptyEntries)[..3]);
        Assert.Equal(["dotnet-worker", "msgpack", "7"], lines[header + 1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[..3]);
        Assert.Equal(["decnet-bus-client[8]", "python", "8"], lines[header + 2].Split(' ', StringSplitOptions.RemoveEmptyEntries)[..3]);
    }

    [Fact]
    public void Format_LabelsTheBrokersHeartbeatsInTheTotals()
    {
        var stats = new BrokerStats(42, 60, 15, 30, 0, []) { Heartbeats = 12 };

        var text = StatsTable.Format(stats, "/run/decnet/bus.sock");

        Assert.Contains("published 15 (12 of them the broker's heartbeats on system.bus.health)", text, StringComparison.Ordinal);
    }
}
