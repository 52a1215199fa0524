namespace Decnet.Bus.Fake.Tests.Docs;

/// <summary>docs/Service-Bus.md shows the FakeBus example exactly as compiled here, so the page cannot drift.</summary>
public sealed class ServiceBusDocSnippetTests
{
    private const string Marker = "// doc-snippet: fakebus-test";

    [Fact]
    public void Service_bus_doc_contains_the_compiled_fakebus_example_verbatim()
    {
        var root = FindRepositoryRoot();
        var source = File.ReadAllText(Path.Combine(root, "tests", "Decnet.Bus.Fake.Tests", "Docs", "ServiceBusDocExampleTests.cs"));
        var start = source.IndexOf(Marker, StringComparison.Ordinal) + Marker.Length;
        var end = source.IndexOf(Marker, start, StringComparison.Ordinal);
        var snippet = source[start..end].Trim().ReplaceLineEndings("\n");

        var doc = File.ReadAllText(Path.Combine(root, "docs", "Service-Bus.md")).ReplaceLineEndings("\n");

        Assert.True(snippet.Length > 200, "snippet markers not found");
        Assert.Contains(snippet, doc, StringComparison.Ordinal);
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Decnet.Core.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Decnet.Core.sln not found above " + AppContext.BaseDirectory);
    }
}
