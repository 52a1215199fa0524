using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Interop;

/// <summary>
/// tests/interop/decnet_bus_client.py's <c>pub</c> refuses the payloads <c>decnet pub</c> refuses (its JsonPayload):
/// a number too large to be finite (an integer of any length too), the literals NaN and Infinity JSON has not, a lone
/// surrogate, a top level that is not an object, nesting deeper than System.Text.Json's 64 levels. Each is one ERROR
/// line and exit code 2, and nothing is published.
/// </summary>
public sealed class PythonPublisherInputTests
{
    // decnet pub's JsonDocumentOptions.MaxDepth: the top-level object counts as one level.
    private const int _maxDepth = 64;

    // Past Python's int() limit of 4,300 digits, which raised a ValueError (a traceback) instead of an ERROR line.
    private static readonly string _longInteger = new('9', 4301);

    [PythonFact]
    public async Task Pub_RefusesWhatDecnetPubRefuses_WithOneErrorLine_AndPublishesNothing()
    {
        await PythonClient.EnsureAvailableAsync();
        await using var broker = await TestBroker.StartAsync();
        var bus = broker.CreateClient("dotnet-sub");
        await using var sub = await bus.SubscribeAsync("refused.>");

        (string Payload, string Line)[] refused =
        [
            ("""{"a": NaN}""", "ERROR payload is not valid JSON: NaN is not a JSON number"),
            ("""{"a": [Infinity]}""", "ERROR payload is not valid JSON: Infinity is not a JSON number"),
            ("""{"a": {"b": -Infinity}}""", "ERROR payload is not valid JSON: -Infinity is not a JSON number"),
            ("NaN", "ERROR payload is not valid JSON: NaN is not a JSON number"),
            ("""{"a": 1e999}""", "ERROR payload has a number that is not finite: 1e999"),
            ("""{"a": -1e999}""", "ERROR payload has a number that is not finite: -1e999"),
            ("""{"a": "\ud800"}""", "ERROR payload is not valid JSON: a string holds a lone surrogate"),
            ("[1]", "ERROR payload must be a JSON object, not array"),
            ("{", "ERROR payload is not valid JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
            ($$"""{"a": {{_longInteger}}}""", $"ERROR payload has a number that is not finite: {_longInteger}"),
            ($$"""{"a": [-{{_longInteger}}]}""", $"ERROR payload has a number that is not finite: -{_longInteger}"),
            (Arrays(_maxDepth + 1), $"ERROR payload is not valid JSON: the maximum depth of {_maxDepth} has been exceeded"),
            (Objects(_maxDepth + 1), $"ERROR payload is not valid JSON: the maximum depth of {_maxDepth} has been exceeded"),
        ];
        foreach (var (payload, line) in refused)
        {
            await using var python = PythonClient.Start("pub", broker.SocketPath, "refused.x", "t", payload);
            Assert.Equal(line, await python.ReadLineAsync());
            var (exitCode, error) = await python.ExitAsync();
            Assert.Equal((2, string.Empty), (exitCode, error));
        }

        // Nothing refused was published: the first event the subscriber sees is this one, published after them all.
        await bus.PublishAsync("refused.marker", new Dictionary<string, int> { ["n"] = 1 });
        Assert.Equal("refused.marker", (await Receive.NextAsync(sub)).Topic);
    }

    [PythonFact]
    public async Task Pub_Publishes_64_Levels_OfArraysAndOfObjects_AsDecnetPubDoes()
    {
        await PythonClient.EnsureAvailableAsync();
        await using var broker = await TestBroker.StartAsync();
        var bus = broker.CreateClient("dotnet-sub");
        await using var sub = await bus.SubscribeAsync("deep.>");

        foreach (var (topic, payload) in new[] { ("deep.arrays", Arrays(_maxDepth)), ("deep.objects", Objects(_maxDepth)) })
        {
            await using var python = PythonClient.Start("pub", broker.SocketPath, topic, "t", payload);
            Assert.StartsWith("PUBLISHED ", await python.ReadLineAsync(), StringComparison.Ordinal);
            await python.ExpectSuccessAsync();
            Assert.Equal(topic, (await Receive.NextAsync(sub)).Topic);
        }
    }

    [PythonFact]
    public async Task Pub_SendsAnIntegerBeyondUInt64_AsADouble_AsDecnetPubDoes()
    {
        await PythonClient.EnsureAvailableAsync();
        await using var broker = await TestBroker.StartAsync();
        var bus = broker.CreateClient("dotnet-sub");
        await using var sub = await bus.SubscribeAsync("big.>");

        await using var python = PythonClient.Start("pub", broker.SocketPath, "big.x", "t", """{"a": 100000000000000000000}""");
        Assert.StartsWith("PUBLISHED ", await python.ReadLineAsync(), StringComparison.Ordinal);
        await python.ExpectSuccessAsync();

        var payload = Codec.BusCodec.DeserializePayloadAsDictionary((await Receive.NextAsync(sub)).Payload);
        Assert.Equal(1e20, payload["a"]);
    }

    /// <summary>An object holding arrays nested <paramref name="depth"/> levels in all (the object is one).</summary>
    private static string Arrays(int depth) => $"{{\"a\": {new string('[', depth - 1)}{new string(']', depth - 1)}}}";

    /// <summary><paramref name="depth"/> objects, each the only value of the one around it.</summary>
    private static string Objects(int depth)
        => string.Concat(Enumerable.Repeat("{\"a\": ", depth - 1)) + "{}" + new string('}', depth - 1);
}
