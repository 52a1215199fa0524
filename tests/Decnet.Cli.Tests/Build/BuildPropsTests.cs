using System.Diagnostics;
using System.Text.Json;
using Decnet.Testing;

namespace Decnet.Cli.Tests.Build;

/// <summary>
/// Directory.Build.props tells shipped projects (under the repository's src/) from tests and benchmarks by their
/// directory. A clone that itself sits under a directory named src (~/src/decnet) must not turn every test project into
/// a documented, packable library: the README's <c>dotnet test</c> then fails on missing XML docs.
/// </summary>
public sealed class BuildPropsTests
{
    private static readonly TimeSpan _bound = TimeSpan.FromMinutes(2);

    [Theory]
    [InlineData("src/Decnet.Bus.Fake/Decnet.Bus.Fake.csproj", "true", "true")]
    [InlineData("tests/Decnet.Bus.Fake.Tests/Decnet.Bus.Fake.Tests.csproj", "false", "false")]
    [InlineData("tests/Decnet.Testing/Decnet.Testing.csproj", "false", "false")]
    [InlineData("bench/Decnet.Bench.Load/Decnet.Bench.Load.csproj", "false", "false")]
    public async Task A_clone_under_a_directory_named_src_keeps_each_projects_kind(string project, string docs, string packable)
    {
        var root = RepositoryRoot.Find();
        var clone = Path.Combine(Directory.CreateTempSubdirectory("dnprops").FullName, "src", "decnet");
        try
        {
            // Only what evaluation reads: the props at the root and the project file itself.
            foreach (var file in Directory.GetFiles(root, "*.props"))
            {
                CopyInto(clone, root, file);
            }

            CopyInto(clone, root, Path.Combine(root, project));

            var properties = await EvaluateAsync(Path.Combine(clone, project), "GenerateDocumentationFile", "IsPackable");

            Assert.Equal(docs, properties["GenerateDocumentationFile"]);
            Assert.Equal(packable, properties["IsPackable"]);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(Path.GetDirectoryName(clone)!)!, recursive: true);
        }
    }

    private static void CopyInto(string clone, string root, string file)
    {
        var target = Path.Combine(clone, Path.GetRelativePath(root, file));
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Copy(file, target);
    }

    private static async Task<Dictionary<string, string>> EvaluateAsync(string project, params string[] names)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("msbuild");
        start.ArgumentList.Add(project);
        foreach (var name in names)
        {
            start.ArgumentList.Add("-getProperty:" + name);
        }

        using var process = Process.Start(start)!;
        using var bound = new CancellationTokenSource(_bound);
        var output = process.StandardOutput.ReadToEndAsync(bound.Token);
        var errors = process.StandardError.ReadToEndAsync(bound.Token);
        await process.WaitForExitAsync(bound.Token);
        Assert.True(process.ExitCode == 0, $"dotnet msbuild exited {process.ExitCode}: {await output}{await errors}");

        using var json = JsonDocument.Parse(await output);
        return json.RootElement.GetProperty("Properties").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? string.Empty);
    }
}
