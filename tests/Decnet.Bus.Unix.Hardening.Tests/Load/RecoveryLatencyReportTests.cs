using System.Diagnostics;
using Decnet.Bus.Soak.Load;

namespace Decnet.Bus.Unix.Hardening.Tests.Load;

public sealed class RecoveryLatencyReportTests
{
    /// <summary>
    /// The soak's 2 s recovery bound is a latency: the CI round (<see cref="SoakRoundTests"/>) must print it, not fail
    /// on it (no wall-clock assertions in xunit; docs/reliability-crash-and-soak.md, §8), while a wrong
    /// <c>Reconnected</c> count stays a failure. The broker is made to look ready 3 s ago, so every client is "slow".
    /// </summary>
    [Fact]
    public async Task A_recovery_over_the_2s_bound_is_not_among_the_problems_but_a_wrong_reconnect_count_is()
    {
        var directory = Directory.CreateTempSubdirectory("dnr").FullName;
        var socketPath = Path.Combine(directory, "bus.sock");
        var broker = await BrokerProcess.StartAsync(socketPath);
        try
        {
            await using var harness = await LoadHarness.StartAsync(socketPath, new LoadOptions { Publishers = 3, Subscribers = 2, RatePerPublisher = 100 });
            var readyAt = Stopwatch.GetTimestamp() - (3 * Stopwatch.Frequency);

            // One restart expected, none happened: each subscription's Reconnected (0) is wrong.
            var report = await harness.AwaitFlowingAsync(readyAt, restarts: 1);

            Assert.Equal(2, report.Problems.Count);
            Assert.All(report.Problems, p => Assert.Contains("Reconnected 0, expected 1", p, StringComparison.Ordinal));
            Assert.Equal(3, report.SlowRecoveries.Count); // both subscriptions and the slowest publisher
            Assert.Contains(report.SlowRecoveries, s => s.StartsWith("a publisher took ", StringComparison.Ordinal));
        }
        finally
        {
            await broker.DisposeAsync();
            Directory.Delete(directory, recursive: true);
        }
    }
}
