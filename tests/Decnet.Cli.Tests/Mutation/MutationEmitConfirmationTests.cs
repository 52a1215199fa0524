using Decnet.Cli.Tests.Support;
using Decnet.Mutator.Events;

namespace Decnet.Cli.Tests.Mutation;

/// <summary>
/// <c>decnet mutation emit</c> says "bus: published" only for an event the broker confirmed, as <c>pub</c> exits 0 only
/// then: a publish the broker's ACL refuses (ERR 12) is reported with the refusal (docs/mutation-events.md, "CLI").
/// The exit code stays the line's: 0 once it is written.
/// </summary>
public sealed class MutationEmitConfirmationTests(RefusingBrokerFixture refusing, BrokerFixture open)
    : IClassFixture<RefusingBrokerFixture>, IClassFixture<BrokerFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("decnet-cli-").FullName;

    private string LogFile => Path.Combine(_dir, "decnet.log");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_publish_the_acl_refuses_is_reported_with_the_refusal_and_the_line_is_kept()
    {
        var run = await CliRun.InvokeAsync(Emit(refusing.SocketPath));

        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = CliRun.Lines(run.Output);
        Assert.Equal(2, lines.Length);
        Assert.Equal($"syslog: written to {LogFile}", lines[0]);
        Assert.StartsWith(
            "bus: failed: the broker refused the event on decky.decky-01.mutation: permission denied (ERR 12)", lines[1], StringComparison.Ordinal);
        Assert.True(DeckyMutatedEvent.TryParse(Assert.Single(await File.ReadAllLinesAsync(LogFile)), out _, out var reason), reason);
    }

    [Fact]
    public async Task A_publish_the_broker_routes_is_confirmed_published()
    {
        var run = await CliRun.InvokeAsync(Emit(open.SocketPath));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal([$"syslog: written to {LogFile}", "bus: published on decky.decky-01.mutation"], CliRun.Lines(run.Output));
        Assert.Empty(run.Error);
    }

    private string[] Emit(string socket)
        => ["mutation", "emit", "--decky", "decky-01", "--old", "ssh", "--new", "http", "--trigger", "operator", "--log-file", LogFile, "--socket", socket];
}
