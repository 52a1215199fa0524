using Decnet.Bus;
using Decnet.Cli.Tests.Support;
using Decnet.Mutator.Events;
using Decnet.Mutator.Events.Tests.Support;

namespace Decnet.Cli.Tests.Usage;

/// <summary>
/// An argument starting with <c>@</c> is taken literally: System.CommandLine's response files (on by default) would
/// replace it with the lines of a file of that name, so <c>--actor @file</c> recorded the file's content as the actor
/// and a parse error printed it.
/// </summary>
public sealed class ResponseFileTests : IDisposable
{
    private const string _secret = "root:x:0:0:secret-line";

    private readonly string _dir = Directory.CreateTempSubdirectory("decnet-cli-at").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task An_actor_naming_a_file_with_at_is_recorded_literally_and_the_file_is_never_read()
    {
        // Two lines: as a response file the second would become an extra argument, and the parse error would print it.
        var file = Path.Combine(_dir, "actorfile");
        await File.WriteAllTextAsync(file, $"{_secret}\nsecond secret line\n");
        var log = Path.Combine(_dir, "decnet.log");
        var bus = new RecordingBus();

        var (exit, output, error) = await CliRun.InvokeMutationAsync(
            ["mutation", "emit", "--decky", "d1", "--trigger", "operator", "--actor", "@" + file, "--log-file", log],
            _ => ValueTask.FromResult<IBus>(bus));

        Assert.True(exit == 0, $"exit {exit}\n{output}\n{error}");
        Assert.Empty(error);
        Assert.DoesNotContain("secret", output, StringComparison.Ordinal);
        var line = Assert.Single(await File.ReadAllLinesAsync(log));
        Assert.DoesNotContain("secret", line, StringComparison.Ordinal);
        Assert.Contains($"actor=\"@{file}\"", line, StringComparison.Ordinal);
        Assert.True(DeckyMutatedEvent.TryParse(line, out var written, out var reason), reason);
        Assert.Equal("@" + file, written.Actor);
        Assert.Equal("@" + file, Assert.Single(bus.Published).Payload["actor"]);
    }

    [Fact]
    public async Task A_usage_error_after_an_at_argument_does_not_print_the_file()
    {
        var file = Path.Combine(_dir, "actorfile");
        await File.WriteAllTextAsync(file, $"{_secret}\nsecond secret line\n");

        var (exit, output, error) = await CliRun.InvokeMutationAsync(["mutation", "emit", "--decky", "d1", "--actor", "@" + file]);

        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.Equal("error: Option '--trigger' is required", Assert.Single(CliRun.Lines(error)));
    }
}
