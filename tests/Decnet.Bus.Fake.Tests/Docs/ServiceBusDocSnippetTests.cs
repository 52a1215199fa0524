using Decnet.Testing;

namespace Decnet.Bus.Fake.Tests.Docs;

/// <summary>docs/Service-Bus.md and docs/dotnet-hosts.md show the examples exactly as compiled and run here, so the pages cannot drift.</summary>
public sealed class ServiceBusDocSnippetTests
{
    [Theory]
    [InlineData("ServiceBusDocExampleTests.cs", "fakebus-test", "dotnet-hosts.md")]
    [InlineData("ServiceBusHostExampleTests.cs", "host", "dotnet-hosts.md")]
    [InlineData("ServiceBusResyncExampleTests.cs", "resync", "Service-Bus.md")]
    [InlineData("ServiceBusHandlerExampleTests.cs", "handler", "dotnet-hosts.md")]
    public void The_doc_contains_the_compiled_example_verbatim(string file, string name, string page)
    {
        var root = RepositoryRoot.Find();
        var source = File.ReadAllLines(Path.Combine(root, "tests", "Decnet.Bus.Fake.Tests", "Docs", file));
        var marker = $"// doc-snippet: {name}";
        var bounds = source.Select((line, index) => (line, index)).Where(x => x.line.Trim() == marker).Select(x => x.index).ToArray();
        Assert.True(bounds.Length == 2, $"expected two '{marker}' lines in {file}");

        // The snippet is shown without the indentation it has inside the test method.
        var lines = source[(bounds[0] + 1)..bounds[1]];
        var indent = lines.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
        var snippet = string.Join('\n', lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart())).Trim();

        var doc = File.ReadAllText(Path.Combine(root, "docs", page)).ReplaceLineEndings("\n");

        Assert.True(snippet.Length > 200, "snippet too short to be the example");
        Assert.Contains(snippet, doc, StringComparison.Ordinal);
    }
}
