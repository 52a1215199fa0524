using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Decnet.Mutator.Events.Tests.Support;
using Decnet.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace Decnet.Mutator.Events.Tests.Interop;

/// <summary>
/// Every line the formatter writes is accepted by an independent strict RFC 5424 parser (influxdata/go-syslog,
/// a Ragel state machine from Debian) and yields the same header and SD params: we do not only agree with ourselves.
/// </summary>
public sealed class GoSyslogInteropTests : IDisposable
{
    internal const int Cases = 2000;
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(120);
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [GoSyslogFact]
    public async Task Generated_hostile_lines_are_accepted_by_go_syslog_with_the_same_fields()
    {
        Assert.True(GoSyslogFactAttribute.IsAvailable, $"Go or go-syslog is missing: {GoSyslogFactAttribute.InstallHint}");
        using var timeout = new CancellationTokenSource(_bound);
        var checker = await BuildCheckerAsync(timeout.Token);

        // Seeded so a failure reproduces; the generators include quotes, backslashes, ']' and non-ASCII in actors.
        var events = Gen.Sample(EventGenerators.Event, 50, new Rnd(20261123UL), Cases);
        var lines = events.Select(e => DeckyMutatedLineFormatter.Format(e).TrimEnd('\n')).ToArray();
        var results = await RunAsync(checker, lines, timeout.Token);

        Assert.Equal(lines.Length, results.Length);
        for (var i = 0; i < lines.Length; i++)
        {
            var expected = events[i];
            using var doc = JsonDocument.Parse(results[i]);
            var root = doc.RootElement;
            Assert.False(root.TryGetProperty("error", out var error), $"go-syslog rejected line {i}: {error}\n{lines[i]}");
            Assert.Equal(134, root.GetProperty("priority").GetInt32());
            Assert.Equal(1, root.GetProperty("version").GetInt32());
            Assert.Equal(expected.Decky, root.GetProperty("hostname").GetString());
            Assert.Equal("mutator", root.GetProperty("appname").GetString());
            Assert.Equal(string.Empty, root.GetProperty("procid").GetString()); // "-" is RFC 5424's nil value
            Assert.Equal("decky_mutated", root.GetProperty("msgid").GetString());

            var sd = root.GetProperty("sd").GetProperty("relay@55555");
            Assert.Equal(expected.Decky, sd.GetProperty("decky").GetString());
            Assert.Equal(string.Join(',', expected.OldServices), sd.GetProperty("old_services").GetString());
            Assert.Equal(string.Join(',', expected.NewServices), sd.GetProperty("new_services").GetString());
            Assert.Equal(expected.Trigger.ToWireString(), sd.GetProperty("trigger").GetString());
            Assert.Equal(expected.Actor, sd.TryGetProperty("actor", out var actor) ? actor.GetString() : null);
        }
    }

    private async Task<string> BuildCheckerAsync(CancellationToken ct)
    {
        var source = Path.Combine(RepositoryRoot.Find(), "tests", "interop", "go-syslog-check");
        var output = _temp.File("go-syslog-check");
        var build = new ProcessStartInfo(GoSyslogFactAttribute.GoPath, ["build", "-o", output, "."])
        {
            WorkingDirectory = source,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };

        // Offline build against the Debian package (go.mod replaces the module with its directory).
        build.Environment["GOFLAGS"] = "-mod=mod";
        build.Environment["GOPROXY"] = "off";
        build.Environment["GOSUMDB"] = "off";
        build.Environment["GOCACHE"] = _temp.File("gocache");
        build.Environment["GOPATH"] = _temp.File("gopath");
        using var process = Process.Start(build)!;
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.StandardOutput.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        Assert.True(process.ExitCode == 0, $"go build failed: {await stderr}");
        return output;
    }

    private static async Task<string[]> RunAsync(string checker, string[] lines, CancellationToken ct)
    {
        using var process = Process.Start(new ProcessStartInfo(checker)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
        })!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        foreach (var line in lines)
        {
            await process.StandardInput.WriteAsync(line + "\n");
        }

        process.StandardInput.Close();
        await process.WaitForExitAsync(ct);
        Assert.True(process.ExitCode == 0, await stderr);
        return (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
