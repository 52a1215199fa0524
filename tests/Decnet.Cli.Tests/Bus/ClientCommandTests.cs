using System.Text.Json;
using Decnet.Bus;
using Decnet.Cli.Tests.Support;

namespace Decnet.Cli.Tests.Bus;

/// <summary>pub, sub and stats against a real broker process, and their errors without one.</summary>
public sealed class ClientCommandTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("pub", "decky.decky-01.mutation", "{}")]
    [InlineData("sub", "decky.>")]
    [InlineData("stats")]
    public async Task Without_a_broker_client_commands_exit_69_with_one_line(params string[] args)
    {
        using var missing = new TempSocket();

        var run = await CliRun.InvokeAsync([.. args, "--socket", missing.Path]);

        Assert.True(run.ExitCode == 69, run.ToString());
        Assert.Equal($"bus: unavailable at {missing.Path} (is 'decnet bus' running?)", run.Error.Trim());
    }

    [Fact]
    public async Task Without_a_broker_the_unavailable_line_shows_a_socket_path_with_control_characters_escaped()
    {
        // The path comes from an argument or DECNET_BUS_SOCKET, maybe a file another process wrote: an ESC in it must
        // not reach the terminal as a colour change or a rewritten line.
        using var dir = new TempSocket();
        var path = Path.Combine(dir.Directory.FullName, "x\u001b[31mRED\rbus.sock");

        var run = await CliRun.InvokeAsync(["stats", "--socket", path]);

        Assert.True(run.ExitCode == 69, run.ToString());
        Assert.DoesNotContain('\u001b', run.Error);
        Assert.DoesNotContain('\r', run.Error);
        Assert.StartsWith($"bus: unavailable at {UntrustedText.Escape(path)} (", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sub_prints_the_event_pub_sends_as_a_json_line_and_exits_after_count()
    {
        // sub runs as its own process, as an operator runs it; stderr says when it is live.
        using var sub = BrokerProcess.StartCli(
            new Dictionary<string, string>(),
            "sub", "decky.>", "--count", "1", "--json", "--timeout", "30", "--socket", broker.SocketPath);
        var subscribed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        sub.ErrorDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("subscribed", StringComparison.Ordinal) == true)
            {
                subscribed.TrySetResult();
            }
        };
        sub.BeginErrorReadLine();
        var output = sub.StandardOutput.ReadToEndAsync();
        var exited = sub.WaitForExitAsync();
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var first = await Task.WhenAny(subscribed.Task, exited).WaitAsync(_bound);
        Assert.True(subscribed.Task.IsCompleted, $"after {sw.Elapsed} first={(first == exited ? "exit" : "sub")} {exited.Status} {sub.HasExited}");

        var pub = await CliRun.InvokeAsync(["pub", "decky.decky-07.mutation", """{"decky":"decky-07","new_services":["http"]}""", "--type", "mutation", "--socket", broker.SocketPath]);
        Assert.True(pub.ExitCode == 0, pub.ToString());
        await sub.WaitForExitAsync().WaitAsync(_bound);

        Assert.Equal(0, sub.ExitCode);
        using var line = JsonDocument.Parse((await output).Trim());
        Assert.Equal("decky.decky-07.mutation", line.RootElement.GetProperty("topic").GetString());
        Assert.Equal("mutation", line.RootElement.GetProperty("type").GetString());
        Assert.Equal("http", line.RootElement.GetProperty("payload").GetProperty("new_services")[0].GetString());
        Assert.Equal(32, line.RootElement.GetProperty("id").GetString()!.Length);
        Assert.Equal(Environment.ProcessId, line.RootElement.GetProperty("publisher").GetProperty("pid").GetInt32());
    }

    [Fact]
    public async Task Mutation_emit_writes_the_line_and_publishes_through_the_broker()
    {
        using var dir = new TempSocket();
        var log = Path.Combine(dir.Directory.FullName, "decnet.log");
        var subscribed = new SignallingWriter("subscribed");
        var sub = CliRun.InvokeAsync(["sub", "decky.decky-09.mutation", "--count", "1", "--json", "--timeout", "30", "--socket", broker.SocketPath], subscribed);
        await Task.WhenAny(subscribed.Seen, sub).WaitAsync(_bound);

        // A separate process, as an operator runs it; DECNET_BUS_SOCKET points it at the test broker.
        using var emit = BrokerProcess.StartCli(
            new Dictionary<string, string> { ["DECNET_BUS_SOCKET"] = broker.SocketPath },
            "mutation", "emit", "--decky", "decky-09", "--old", "ssh", "--new", "ssh,http", "--trigger", "operator", "--actor", "alice", "--log-file", log);
        var emitOutput = emit.StandardOutput.ReadToEndAsync();
        var emitError = emit.StandardError.ReadToEndAsync();
        await emit.WaitForExitAsync().WaitAsync(_bound);
        var received = await sub.WaitAsync(_bound);

        Assert.True(emit.ExitCode == 0, await emitError);
        Assert.Contains("bus: published on decky.decky-09.mutation", await emitOutput, StringComparison.Ordinal);
        Assert.Contains("decky_mutated [relay@55555 decky=\"decky-09\"", await File.ReadAllTextAsync(log), StringComparison.Ordinal);
        using var line = JsonDocument.Parse(received.Output.Trim());
        Assert.Equal("alice", line.RootElement.GetProperty("payload").GetProperty("actor").GetString());
        Assert.Equal("http", line.RootElement.GetProperty("payload").GetProperty("new_services")[1].GetString());
    }

    [Fact]
    public async Task Sub_exits_124_when_the_timeout_passes_first()
    {
        var run = await CliRun.InvokeAsync(["sub", "nothing.will.come", "--count", "1", "--timeout", "0.5", "--socket", broker.SocketPath]);

        Assert.True(run.ExitCode == 124, run.ToString());
        Assert.Empty(run.Output);
    }

    [Fact]
    public async Task Stats_lists_the_broker_counters_and_a_row_per_connection()
    {
        var subscribed = new SignallingWriter("subscribed");
        using var stop = new CancellationTokenSource();
        var sub = CliRun.InvokeAsync(["sub", "stats.probe.>", "--socket", broker.SocketPath], subscribed, stop.Token);
        await Task.WhenAny(subscribed.Seen, sub).WaitAsync(_bound);

        var stats = await CliRun.InvokeAsync(["stats", "--socket", broker.SocketPath]);
        var json = await CliRun.InvokeAsync(["stats", "--json", "--socket", broker.SocketPath]);
        await stop.CancelAsync();
        await sub.WaitAsync(_bound);

        Assert.True(stats.ExitCode == 0, stats.ToString());
        Assert.Contains($"broker pid {broker.Broker.Pid}", stats.Output, StringComparison.Ordinal);
        Assert.Contains("NAME", stats.Output, StringComparison.Ordinal);
        Assert.Contains("decnet-sub", stats.Output, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(json.Output);
        Assert.Contains(doc.RootElement.GetProperty("connections").EnumerateArray(), c => c.GetProperty("name").GetString() == "decnet-sub" && c.GetProperty("subscriptions").GetInt32() == 1);
    }

    [Theory]
    [InlineData("pub", "decky.*.mutation", "token 2")]
    [InlineData("pub", "decky..mutation", "empty")]
    [InlineData("sub", "decky.>.x", ">")]
    public async Task Invalid_topics_and_patterns_exit_2_naming_the_problem(string command, string topic, string expected)
    {
        var run = await CliRun.InvokeAsync([command, topic, "--socket", broker.SocketPath]);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains(expected, run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[1]", "must be a JSON object")]
    [InlineData("{\"a\":", "not valid JSON")]
    public async Task Pub_rejects_a_payload_that_is_not_a_json_object(string payload, string expected)
    {
        var run = await CliRun.InvokeAsync(["pub", "a.b", payload, "--socket", broker.SocketPath]);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains(expected, run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bus")]
    [InlineData("pub")]
    [InlineData("sub")]
    [InlineData("stats")]
    public async Task Every_command_has_help(string command)
    {
        var run = await CliRun.InvokeAsync([command, "--help"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Usage:", run.Output, StringComparison.Ordinal);
        Assert.Contains("--socket", run.Output, StringComparison.Ordinal);
    }
}
