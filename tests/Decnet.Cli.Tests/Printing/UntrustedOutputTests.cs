using System.Text.Json;
using Decnet.Bus;
using Decnet.Bus.Unix;
using Decnet.Cli.Bus;
using Decnet.Mutator.Events;

namespace Decnet.Cli.Tests.Printing;

/// <summary>
/// <c>decnet stats</c> and <c>decnet syslog parse</c> print strings that others wrote (client names, log lines) escaped
/// (docs/reliability.md, "Hostile input II", item 3).
/// </summary>
public sealed class UntrustedOutputTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"decnet-cli-{Guid.NewGuid():N}.log");

    public void Dispose() => File.Delete(_file);

    [Fact]
    public void A_client_name_with_cr_and_escapes_cannot_forge_a_stats_row()
    {
        const string name = "worker\r\u001b[2Kdecnet-bus  1  0  0  0  0  0  0\n\u202Eeman";
        var stats = new BrokerStats(42, 10, 1, 1, 0, [new BrokerConnectionStats(name, 7, 1000, 1000, 1, 0, 0, 1, 0)])
        {
            Rejections = new Dictionary<string, long> { ["bad\u001b[31m"] = 1 },
        };

        var table = StatsTable.Format(stats, "/tmp/bus\n.sock");

        Assert.False(UntrustedText.NeedsEscaping(table.Replace("\n", string.Empty, StringComparison.Ordinal)), table);
        var lines = table.Split('\n');
        Assert.Equal(7, lines.Length); // totals, counters, the heartbeat note, rejections, blank, header, one row
        Assert.StartsWith(@"worker\u000D\u001B[2Kdecnet-bus", lines[6], StringComparison.Ordinal);
        Assert.Contains(@"\u202Eeman", lines[6], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Syslog_parse_escapes_bidi_characters_in_fields_and_in_rejection_reasons()
    {
        var spoofed = new DeckyMutatedEvent(DateTimeOffset.UnixEpoch, "decky-01", ["ssh"], ["http"], MutationTrigger.Operator, "eve\u202Etxt.exe");
        var line = DeckyMutatedLineFormatter.Format(spoofed);
        await File.WriteAllTextAsync(_file, line + line.Replace("trigger=\"operator\"", "trigger=\"op\u202Eerator\u200B\"", StringComparison.Ordinal));

        var (exit, output, error) = await Support.CliRun.InvokeMutationAsync(["syslog", "parse", _file]);

        Assert.Equal(1, exit);
        Assert.False(UntrustedText.NeedsEscaping(output.ReplaceLineEndings(string.Empty)), output);
        Assert.False(UntrustedText.NeedsEscaping(error.ReplaceLineEndings(string.Empty)), error);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal("eve\u202Etxt.exe", doc.RootElement.GetProperty("actor").GetString());
        Assert.StartsWith("line 2: ", error, StringComparison.Ordinal);
    }
}
