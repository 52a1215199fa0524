using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Decnet.Mutator.Events.Tests.Support;

namespace Decnet.Mutator.Events.Tests.Interop;

/// <summary>
/// Feeds lines written by the emitter to a real rsyslogd (pmrfc5424 + mmpstrucdata) and checks it reads the same
/// header fields and SD params as our parser. rsyslog receives on imtcp and sends its parsed view back to this test
/// through omfwd, so nothing polls a file; readiness comes from rsyslog's sd_notify READY=1.
/// </summary>
public sealed class RsyslogInteropTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [RsyslogFact]
    public async Task EmittedLines_AreParsedByRsyslog_ToTheSameFields()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var lines = await EmitSampleLinesAsync();

        using var results = new TcpListener(IPAddress.Loopback, 0);
        results.Start();
        var inputPort = FreePort();
        var notifyPath = _temp.File("notify.sock");
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(notifyPath));
        var config = _temp.File("rsyslog.conf");
        await File.WriteAllTextAsync(config, Config(inputPort, ((IPEndPoint)results.LocalEndpoint).Port), timeout.Token);

        using var rsyslog = StartRsyslog(config, notifyPath);
        try
        {
            await WaitForReadyAsync(notify, rsyslog, timeout.Token);
            using (var input = new TcpClient())
            {
                await input.ConnectAsync(IPAddress.Loopback, inputPort, timeout.Token);
                await input.GetStream().WriteAsync(Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n"))), timeout.Token);
            }

            using var output = await results.AcceptTcpClientAsync(timeout.Token);
            using var reader = new StreamReader(output.GetStream(), Encoding.UTF8);
            foreach (var line in lines)
            {
                string? seen;
                do
                {
                    seen = await reader.ReadLineAsync(timeout.Token);
                }
                while (seen is { Length: 0 });

                Assert.NotNull(seen);
                AssertSameFields(line, seen);
            }
        }
        finally
        {
            if (!rsyslog.HasExited)
            {
                rsyslog.Kill();
            }
        }
    }

    private static void AssertSameFields(string line, string rsyslogView)
    {
        Assert.True(DeckyMutatedEvent.TryParse(line, out var ours, out var reason), reason);
        var columns = rsyslogView.Split('\t');
        Assert.Equal(6, columns.Length);
        Assert.Equal([ours.Decky, "mutator", "-", "decky_mutated"], columns[..4]);
        Assert.Equal(DeckyMutatedLineFormatter.FormatTimestamp(ours.Timestamp), columns[4]);

        using var json = JsonDocument.Parse(columns[5]);
        var sd = json.RootElement.GetProperty("relay@55555");
        Assert.Equal(ours.Decky, sd.GetProperty("decky").GetString());
        Assert.Equal(string.Join(',', ours.OldServices), sd.GetProperty("old_services").GetString());
        Assert.Equal(string.Join(',', ours.NewServices), sd.GetProperty("new_services").GetString());
        Assert.Equal(ours.Trigger.ToWireString(), sd.GetProperty("trigger").GetString());
        Assert.Equal(ours.Actor, sd.TryGetProperty("actor", out var actor) ? actor.GetString() : null);
    }

    private async Task<string[]> EmitSampleLinesAsync()
    {
        var logFile = _temp.File("ingest.log");
        var emitter = new MutationEventEmitter(new MutationEventOptions { LogFile = logFile });
        string?[] actors = [null, "alice", "eve] [relay@55555 decky=\"x\"", "back\\slash \"quoted\" = ok", "日本語 🦀 é"];
        var n = 0;
        foreach (var trigger in MutationTriggers.All)
        {
            var result = await emitter.EmitAsync(
                $"decky-{n}",
                trigger == MutationTrigger.Creation ? [] : ["ssh", "http[1", "x:y"],
                trigger == MutationTrigger.Retirement ? [] : ["smb", "rdp'"],
                trigger,
                actors[n++ % actors.Length]);
            Assert.True(result.Written, result.WriteError);
        }

        return await File.ReadAllLinesAsync(logFile);
    }

    private static string Config(int inputPort, int resultPort) => $$"""
        global(workDirectory="{{Path.GetTempPath()}}")
        module(load="imtcp")
        module(load="mmpstrucdata")
        template(name="fields" type="string" string="%hostname%\t%app-name%\t%procid%\t%msgid%\t%timereported:::date-rfc3339%\t%$!rfc5424-sd%\n")
        ruleset(name="decnet" parser="rsyslog.rfc5424") {
          action(type="mmpstrucdata")
          action(type="omfwd" target="127.0.0.1" port="{{resultPort}}" protocol="tcp" template="fields")
        }
        input(type="imtcp" address="127.0.0.1" port="{{inputPort}}" ruleset="decnet")
        """;

    private Process StartRsyslog(string config, string notifyPath)
    {
        var start = new ProcessStartInfo(RsyslogFactAttribute.RsyslogPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-n", "-f", config, "-i", _temp.File("rsyslogd.pid") })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["NOTIFY_SOCKET"] = notifyPath;
        return Process.Start(start) ?? throw new InvalidOperationException("rsyslogd did not start");
    }

    private static async Task WaitForReadyAsync(Socket notify, Process rsyslog, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        while (true)
        {
            var received = notify.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).AsTask();
            var exited = rsyslog.WaitForExitAsync(cancellationToken);
            if (await Task.WhenAny(received, exited) == exited)
            {
                Assert.Fail($"rsyslogd exited with {rsyslog.ExitCode}: {await rsyslog.StandardError.ReadToEndAsync(cancellationToken)}");
            }

            if (Encoding.ASCII.GetString(buffer, 0, await received).Contains("READY=1", StringComparison.Ordinal))
            {
                return;
            }
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
