using Decnet.Cli.Tests.Support;

namespace Decnet.Cli.Tests.Usage;

/// <summary>
/// Every bad argument is one line on stderr and exit 2, whatever the subcommand (docs/reliability.md, "Hostile input
/// II", item 11): never a stack trace, never the help dump, never an abort.
/// </summary>
public sealed class UsageErrorTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(30);

    /// <summary>Bad arguments; "SOCKET" stands for a path where no broker runs, so a command that wrongly runs exits 69.</summary>
    public static TheoryData<string[], string> BadArguments => new()
    {
        { ["sub", "a.b", "--count", "abc", "--socket", "SOCKET"], "--count" },
        { ["sub", "a.b", "--count", "99999999999", "--socket", "SOCKET"], "--count" },
        { ["sub", "a.b", "--count", "-1", "--socket", "SOCKET"], "--count" },
        { ["sub", "a.b", "--timeout", "abc", "--socket", "SOCKET"], "--timeout" },
        { ["sub", "a.b", "--timeout", "1e9", "--socket", "SOCKET"], "--timeout" },
        { ["sub", "a.b", "--timeout", "NaN", "--socket", "SOCKET"], "--timeout" },
        { ["sub", "--socket", "SOCKET"], "missing PATTERN" },
        { ["pub", "--socket", "SOCKET"], "missing TOPIC" },
        { ["pub", "a.b", "{}", "extra", "--socket", "SOCKET"], "extra" },
        { ["pub", "a.b", """{"a":"\ud800"}""", "--socket", "SOCKET"], "surrogate" },
        { ["pub", "a.b", """{"a":1e999}""", "--socket", "SOCKET"], "not finite: 1e999" },
        { ["stats", "--bogus", "--socket", "SOCKET"], "--bogus" },
        { ["frobnicate"], "frobnicate" },
        { [], "command" },
        { ["mutation", "emit", "--trigger", "operator"], "--decky" },
        { ["syslog", "parse"], "FILE" },
        { ["syslog", "parse", "a", "b"], "'b'" },
        { ["syslog", "parse", "a", "--bogus"], "--bogus" },
        { ["syslog"], "command" },
        { ["mutation"], "command" },
        { ["mutation", "emit", "--decky", "d1"], "--trigger" },
        { ["mutation", "emit", "--decky", "d1", "--decky", "d2", "--trigger", "operator"], "--decky" },
        { ["mutation", "emit", "--decky", "d1", "--trigger", "operator", "--bogus"], "--bogus" },
        { ["mutation", "emit", "--decky", "d1", "--trigger", "operator", "--log-file"], "--log-file" },
        { ["bus", "--bogus"], "--bogus" },
        { ["bridge", "--hop-limit", "x"], "--hop-limit" },
        { ["stats", "extra", "--socket", "SOCKET"], "extra" },
        { ["bridge", "--export", ">", "--log-interval", "1e300", "--socket", "SOCKET"], "--log-interval" },
        { ["bridge", "--export", ">", "--log-interval", "0.0001", "--socket", "SOCKET"], "--log-interval" },
        { ["bridge", "--export", ">", "--log-interval", "5000000", "--socket", "SOCKET"], "--log-interval" },

        // An argument starting with @ is itself, never the name of a response file to expand.
        { ["pub", "@a b", "--socket", "SOCKET"], "Invalid topic \"@a b\"" },
        { ["sub", "@a b", "--socket", "SOCKET"], "Invalid pattern \"@a b\"" },
        { ["pub", "a.b", "@x", "--socket", "SOCKET"], "payload is not valid JSON" },

        // The envelope type is checked before connecting, as the topic is.
        { ["pub", "a.b", "--type", "x\u0001y", "--socket", "SOCKET"], "contains a control character (U+0001)" },
        { ["pub", "a.b", "{}", "-t", "line\nbreak", "--socket", "SOCKET"], "contains a control character (U+000A)" },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public async Task A_bad_argument_is_one_line_and_exit_2(string[] args, string named)
    {
        using var missing = new TempSocket();

        var run = await CliRun.InvokeAsync([.. args.Select(a => a == "SOCKET" ? missing.Path : a)]);

        AssertOneLineUsageError(run, named);
    }

    [Fact]
    public async Task A_topic_starting_with_at_is_published_as_typed()
    {
        var run = await CliRun.InvokeAsync(["pub", "@cli.literal", "{}", "--type", "@t", "--socket", broker.SocketPath]);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Empty(run.Error);
    }

    [Fact]
    public async Task A_topic_over_the_limit_is_rejected_before_connecting()
    {
        using var missing = new TempSocket();

        var run = await CliRun.InvokeAsync(["pub", new string('a', 257), "{}", "--socket", missing.Path]);

        AssertOneLineUsageError(run, "256");
    }

    [Theory]
    [InlineData("pub")]
    [InlineData("sub")]
    public async Task A_topic_or_pattern_over_the_brokers_limit_is_one_line(string command)
    {
        var run = await CliRun.InvokeAsync([command, "a." + new string('b', 300), "--socket", broker.SocketPath]);

        AssertOneLineUsageError(run, "256");
    }

    [Theory]
    [InlineData("sub")]
    [InlineData("bridge")]
    public async Task A_pattern_over_the_brokers_token_limit_is_one_line(string command)
    {
        // 33 tokens: the broker's ERR (DECNET_BUS_MAX_PATTERN_TOKENS, default 32) is bad input, not an internal error.
        var pattern = string.Join('.', Enumerable.Repeat("a", 33));
        string[] args = command == "sub"
            ? ["sub", pattern, "--socket", broker.SocketPath]
            : ["bridge", "--export", pattern, "--nats", "nats://127.0.0.1:1", "--socket", broker.SocketPath];

        var run = await CliRun.InvokeAsync(args);

        AssertOneLineUsageError(run, "more than 32 tokens");
        Assert.StartsWith("error: ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_payload_over_the_frame_limit_is_one_line()
    {
        // The default frame limit is 1 MiB; this payload encodes to about 2 MiB.
        var payload = $$"""{"blob":"{{new string('x', 2 * 1024 * 1024)}}"}""";

        var run = await CliRun.InvokeAsync(["pub", "a.b", payload, "--socket", broker.SocketPath]);

        AssertOneLineUsageError(run, "at most");
    }

    [Fact]
    public async Task A_count_that_overflows_does_not_abort_the_real_process()
    {
        // Before: an unhandled exception inside System.CommandLine's validation aborted the process (SIGABRT, 134).
        using var process = BrokerProcess.StartCli("sub", "a.b", "--count", "99999999999", "--socket", broker.SocketPath);
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(_bound);

        Assert.True(process.ExitCode == 2, $"exit {process.ExitCode}\n{await error}");
        Assert.Empty(await output);
        var line = Assert.Single(Lines(await error));
        Assert.Contains("--count", line, StringComparison.Ordinal);
    }

    private static void AssertOneLineUsageError(CliRun run, string named)
    {
        Assert.True(run.ExitCode == 2, run.ToString());
        var line = Assert.Single(Lines(run.Error));
        Assert.Contains(named, line, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled", line, StringComparison.Ordinal);
        Assert.Empty(run.Output);
    }

    private static string[] Lines(string text)
    {
        var trimmed = text.ReplaceLineEndings("\n").TrimEnd('\n');
        return trimmed.Length == 0 ? [] : trimmed.Split('\n');
    }
}
