using System.Diagnostics;
using System.Xml.Linq;
using Decnet.Cli.Tests.Support;

namespace Decnet.Cli.Tests.Usage;

/// <summary>What a user sees before running anything: the version, the help text, and the options every command has.</summary>
public sealed class CliSurfaceTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(30);

    public static TheoryData<string[]> Commands => new()
    {
        { Array.Empty<string>() },
        { ["bus"] },
        { ["pub"] },
        { ["sub"] },
        { ["stats"] },
        { ["bridge"] },
        { ["mutation"] },
        { ["mutation", "emit"] },
        { ["syslog"] },
        { ["syslog", "parse"] },
    };

    [Fact]
    public async Task Version_is_the_one_in_version_props()
    {
        var run = await CliRun.InvokeAsync(["--version"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(VersionProps() + "\n", run.Output.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Output_redirected_to_a_file_is_not_overwritten_by_what_the_shell_writes_next()
    {
        // Before: stdout was written with pwrite at the stream's own position, so the shell's next write to the same
        // file descriptor landed on top of it ("after" replaced the version).
        var file = Path.Combine(Path.GetTempPath(), $"decnet-version-{Guid.NewGuid():N}.txt");
        try
        {
            var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
            foreach (var word in new[] { "-c", "dotnet \"$1\" --version > \"$2\"; echo after >> \"$2\"; { dotnet \"$1\" --version; echo after; } > \"$2.both\"", "sh", BrokerProcess.CliDll, file })
            {
                info.ArgumentList.Add(word);
            }

            using var shell = Process.Start(info)!;
            await shell.WaitForExitAsync().WaitAsync(_bound);

            Assert.Equal(0, shell.ExitCode);
            Assert.Equal($"{VersionProps()}\nafter\n", await File.ReadAllTextAsync(file));
            Assert.Equal($"{VersionProps()}\nafter\n", await File.ReadAllTextAsync(file + ".both"));
        }
        finally
        {
            File.Delete(file);
            File.Delete(file + ".both");
        }
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Help_has_no_additional_arguments_section(string[] command)
    {
        var run = await CliRun.InvokeAsync([.. command, "--help"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Usage:", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Additional Arguments", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("additional arguments", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mutation_emit_help_marks_its_required_options_and_offers_socket()
    {
        var run = await CliRun.InvokeAsync(["mutation", "emit", "--help"]);

        Assert.Matches(@"--decky <decky> +\(REQUIRED\)", run.Output);
        Assert.Matches(@"--trigger <trigger> +\(REQUIRED\)", run.Output);
        Assert.DoesNotMatch(@"--(old|new|actor|log-file) <[a-z-]+> +\(REQUIRED\)", run.Output);
        Assert.Contains("-s, --socket <socket>", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mutation_emit_socket_publishes_to_the_broker_at_that_path()
    {
        using var log = new TempSocket();
        using var missing = new TempSocket();
        string[] Emit(string socket) => ["mutation", "emit", "--decky", "d1", "--trigger", "operator", "--log-file", log.Path + ".log", "--socket", socket];

        var published = await CliRun.InvokeAsync(Emit(broker.SocketPath));
        var down = await CliRun.InvokeAsync(Emit(missing.Path));

        Assert.True(published.ExitCode == 0, published.ToString());
        Assert.Contains("bus: published on decky.d1.mutation", published.Output, StringComparison.Ordinal);
        Assert.True(down.ExitCode == 0, down.ToString());
        Assert.Contains($"bus: failed: cannot connect to the bus: unavailable at {missing.Path}", down.Output, StringComparison.Ordinal);
    }

    private static string VersionProps()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "version.props")))
        {
            directory = directory.Parent;
        }

        Assert.NotNull(directory);
        return XDocument.Load(Path.Combine(directory.FullName, "version.props")).Descendants("VersionPrefix").Single().Value;
    }
}
