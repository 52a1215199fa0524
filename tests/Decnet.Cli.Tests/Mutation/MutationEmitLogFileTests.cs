using Decnet.Bus;
using Decnet.Cli.Tests.Bus;
using Decnet.Cli.Tests.Support;
using Decnet.Mutator.Events.Tests.Support;

namespace Decnet.Cli.Tests.Mutation;

/// <summary>
/// Where <c>mutation emit</c>'s log file comes from is named in its errors, and the flag and
/// <c>DECNET_INGEST_LOG_FILE</c> follow one rule: an absolute path to a file (docs/mutation-events.md, "CLI").
/// </summary>
public sealed class MutationEmitLogFileTests
{
    private const string _relative = "decnet-emit-relative-test.log";

    [Theory]
    [InlineData("/tmp/some-dir/", "--log-file \"/tmp/some-dir/\" names a directory; it must name a file.")]
    [InlineData(_relative, $"--log-file \"{_relative}\" is relative; use an absolute path such as /var/log/decnet/decnet.log.")]
    public async Task A_bad_log_file_flag_is_one_usage_line_naming_the_flag_not_the_variable(string value, string expected)
    {
        var bus = new RecordingBus();
        try
        {
            var (exit, output, error) = await CliRun.InvokeMutationAsync(
                ["mutation", "emit", "--decky", "d1", "--new", "ssh", "--trigger", "creation", "--log-file", value],
                _ => ValueTask.FromResult<IBus>(bus));

            Assert.True(exit == 2, $"exit {exit}\n{output}\n{error}");
            Assert.Equal($"error: {expected}", Assert.Single(CliRun.Lines(error)));
            Assert.Empty(output);
            Assert.Empty(bus.Published);
        }
        finally
        {
            File.Delete(Path.GetFullPath(_relative));
        }
    }

    [Fact]
    public async Task A_relative_log_file_variable_is_refused_as_the_flag_is()
    {
        using var missing = new TempSocket();

        var (code, output) = await BusCommandTests.RunToExitAsync(
            new Dictionary<string, string> { ["DECNET_INGEST_LOG_FILE"] = _relative },
            "mutation", "emit", "--decky", "d1", "--new", "ssh", "--trigger", "creation", "--socket", missing.Path);

        Assert.True(code == 2, output);
        Assert.Equal(
            $"error: DECNET_INGEST_LOG_FILE (MutationEventOptions.LogFile) \"{_relative}\" is relative; use an absolute path such as /var/log/decnet/decnet.log.",
            Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public async Task A_line_not_written_prints_one_line_per_path_and_nothing_on_stderr()
    {
        // docs/mutation-events.md: one line per path; "error:" is the usage form of exit 2, not a third line of exit 1.
        var (exit, output, error) = await CliRun.InvokeMutationAsync(
            ["mutation", "emit", "--decky", "d1", "--new", "ssh", "--trigger", "creation", "--log-file", "/dev/full"],
            _ => ValueTask.FromResult<IBus>(new RecordingBus()));

        Assert.Equal(1, exit);
        Assert.Equal(
            "syslog: failed: refusing /dev/full: it is a character device; only a regular file is accepted\nbus: published on decky.d1.mutation\n",
            output.ReplaceLineEndings("\n"));
        Assert.Empty(error);
    }
}
