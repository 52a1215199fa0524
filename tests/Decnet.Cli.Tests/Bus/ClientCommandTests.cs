using System.Text.Json;
using Decnet.Bus;
using Decnet.Bus.Nats;
using Decnet.Cli.Bus;
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
    public async Task Sub_shows_a_socket_path_with_control_characters_escaped_when_subscribed_down_and_back()
    {
        // "subscribed to … at PATH" and the outage lines printed the path raw: an ESC in it reached the terminal.
        using var dir = new TempSocket();
        var path = Path.Combine(dir.Directory.FullName, "s\u001b[7mREV.sock");
        var escaped = UntrustedText.Escape(path);
        var broker = await BrokerProcess.StartAsync(path);
        try
        {
            var error = new SignallingWriter("sub: subscribed to ");
            using var stop = new CancellationTokenSource(_bound);
            var sub = CliRun.InvokeAsync(["sub", ">", "--socket", path], error, stop.Token);
            await error.Seen.WaitAsync(_bound);
            await broker.KillAsync();
            await broker.DisposeAsync();
            await error.Until("is down; waiting for it").WaitAsync(_bound);
            broker = await BrokerProcess.StartAsync(path);
            await error.Until("sub: reconnected to the broker at").WaitAsync(_bound);
            await stop.CancelAsync();

            var run = await sub.WaitAsync(_bound);
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.DoesNotContain('\u001b', error.ToString());
            Assert.Equal(
                [
                    $"sub: subscribed to > at {escaped}",
                    $"sub: broker at {escaped} is down; waiting for it (events published meanwhile are lost)",
                    $"sub: reconnected to the broker at {escaped}",
                ],
                CliRun.Lines(error.ToString()));
        }
        finally
        {
            await broker.DisposeAsync();
        }
    }

    [Fact]
    public async Task Over_nats_the_unavailable_line_shows_a_url_with_control_characters_escaped()
    {
        // A query passes the URL check (only a path is refused) and kept its ESC in "bus: NATS unavailable at URL".
        var url = "nats://127.0.0.1:1?\u001b[31mRED";
        using var sub = BrokerProcess.StartCli(
            new Dictionary<string, string> { ["DECNET_BUS_TYPE"] = "nats", ["DECNET_BUS_NATS_URL"] = url },
            "sub", "a.>");
        var error = sub.StandardError.ReadToEndAsync();
        try
        {
            await sub.WaitForExitAsync().WaitAsync(_bound);
        }
        finally
        {
            if (!sub.HasExited)
            {
                sub.Kill();
            }
        }

        Assert.True(sub.ExitCode == 69, $"exit {sub.ExitCode}\n{await error}");
        Assert.Equal($"bus: NATS unavailable at {UntrustedText.Escape(url)} (is nats-server running?)", (await error).Trim());
    }

    [Fact]
    public void Nats_stats_show_a_url_with_control_characters_escaped()
    {
        var stats = new NatsBusStats("Closed", "nats://h:4222?\u001b[31mRED", null, 0, default, 0, 0, 0, 0, 0, 0, 0);

        var text = NatsStatsText.Format(stats);

        Assert.StartsWith("nats Closed at nats://h:4222?\\u001B[31mRED\n", text.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sub_refuses_a_pattern_over_the_topic_limit_before_connecting()
    {
        // The length was checked by the subscribe, after connecting: without a broker that was exit 69, not 2.
        using var missing = new TempSocket();

        var run = await CliRun.InvokeAsync(["sub", "a." + new string('b', 300), "--socket", missing.Path]);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal("error: pattern is 302 UTF-8 bytes; the limit is 256", run.Error.Trim());
    }

    [Theory]
    [InlineData("pub", "a.b", "{}")]
    [InlineData("sub", "a.>")]
    [InlineData("stats")]
    public async Task A_bad_socket_flag_is_a_usage_error_naming_the_flag(params string[] args)
    {
        // It was reported as DECNET_BUS_SOCKET, exit 78, though the user typed --socket (docs/cross-host.md: exit 2).
        var path = "/tmp/" + new string('x', 130);

        var run = await CliRun.InvokeAsync([.. args, "--socket", path]);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal($"error: --socket '{path}' is 135 bytes; a UNIX socket path holds at most 107 bytes", run.Error.Trim());
    }

    [Fact]
    public async Task A_bad_socket_variable_is_a_configuration_error_naming_the_variable()
    {
        var path = "/tmp/" + new string('x', 130);
        using var sub = BrokerProcess.StartCli(new Dictionary<string, string> { ["DECNET_BUS_SOCKET"] = path }, "sub", "a.>");
        var error = sub.StandardError.ReadToEndAsync();
        await sub.WaitForExitAsync().WaitAsync(_bound);

        Assert.True(sub.ExitCode == 78, $"exit {sub.ExitCode}\n{await error}");
        Assert.Equal($"sub: DECNET_BUS_SOCKET='{path}' is 135 bytes; a UNIX socket path holds at most 107 bytes", (await error).Trim());
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
