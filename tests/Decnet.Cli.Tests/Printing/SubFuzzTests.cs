using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Decnet.Bus;
using Decnet.Bus.Unix;
using Decnet.Cli.Bus;
using Decnet.Cli.Tests.Support;
using Xunit.Abstractions;

namespace Decnet.Cli.Tests.Printing;

/// <summary>
/// 100,000 random well-formed payload maps (every MessagePack type, see <see cref="MessagePackValues"/>) published
/// through a real broker into two real <c>decnet sub</c> processes, text and JSON: both survive and print every event
/// as one safe line (docs/reliability.md, "Hostile input II", item 8). <c>DECNET_SUB_FUZZ_EVENTS</c> changes the count;
/// the seed is logged, and named in a failure.
/// </summary>
[Collection(SubFuzzCollection.Name)]
public sealed class SubFuzzTests(BrokerFixture broker, ITestOutputHelper log) : IClassFixture<BrokerFixture>
{
    private const int _batch = 500;
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(60);
    private static readonly JsonDocumentOptions _deep = new() { MaxDepth = 128 };
    private static readonly string[] _tokens = ["a", "decky-01", "mutation", "日本", "é", "x_1", "🦀"];

    [Fact]
    public async Task Sub_survives_and_prints_every_random_payload_in_both_modes()
    {
        var events = int.TryParse(Environment.GetEnvironmentVariable("DECNET_SUB_FUZZ_EVENTS"), CultureInfo.InvariantCulture, out var n) ? n : 100_000;
        var count = events.ToString(CultureInfo.InvariantCulture);
        await using var json = await SubProcess.StartAsync(broker.SocketPath, "sub", "fuzz.>", "--json", "--count", count);
        await using var text = await SubProcess.StartAsync(broker.SocketPath, "sub", "fuzz.>", "--count", count);
        var jsonLines = new CountBarrier();
        var textLines = new CountBarrier();
        var jsonReader = ReadAsync(json, jsonLines, CheckJson);
        var textReader = ReadAsync(text, textLines, CheckText);
        await using var bus = await UnixSocketBus.ConnectAsync(CliBusOptions.Load(broker.SocketPath, clientName: "sub-fuzz"));
        var clock = Stopwatch.StartNew();

        var seed = Random.Shared.Next();
        log.WriteLine($"seed {seed}");
        var random = new Random(seed);
        for (var sent = 0; sent < events;)
        {
            for (var end = Math.Min(events, sent + _batch); sent < end; sent++)
            {
                var topic = $"fuzz.{_tokens[random.Next(_tokens.Length)]}.{sent}";
                await bus.PublishAsync(topic, new RawPayload(MessagePackValues.Payload(random)), _tokens[random.Next(_tokens.Length)]);
            }

            // Paced by what both subscribers have printed, so no event is dropped as a slow consumer's.
            var printed = Task.WhenAll(jsonLines.WaitForAsync(sent), textLines.WaitForAsync(sent));
            await Task.WhenAny(printed, jsonReader, textReader).WaitAsync(_bound);
            Assert.True(printed.IsCompletedSuccessfully, $"seed {seed}: a reader stopped early: json {jsonLines.Count}, text {textLines.Count} of {sent}\n{json.Error}\n{text.Error}\n{Failure(jsonReader)}{Failure(textReader)}");
        }

        await Task.WhenAll(json.Process.WaitForExitAsync(), text.Process.WaitForExitAsync()).WaitAsync(_bound);
        await Task.WhenAll(jsonReader, textReader).WaitAsync(_bound);
        log.WriteLine($"{events} events printed by both subscribers in {clock.Elapsed.TotalSeconds:0.0} s");

        Assert.True(json.Process.ExitCode == 0, json.Error);
        Assert.True(text.Process.ExitCode == 0, text.Error);
        Assert.Equal(events, jsonLines.Count);
        Assert.Equal(events, textLines.Count);
    }

    private static void CheckJson(string line)
    {
        Assert.False(UntrustedText.NeedsEscaping(line), line);
        using var doc = JsonDocument.Parse(line, _deep);
        Assert.False(doc.RootElement.TryGetProperty("payload_error", out var error), $"{error}: {line}");
        Assert.StartsWith("fuzz.", doc.RootElement.GetProperty("topic").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Object, doc.RootElement.GetProperty("payload").ValueKind);
    }

    private static void CheckText(string line)
    {
        Assert.False(UntrustedText.NeedsEscaping(line), line);
        Assert.Contains(" fuzz.", line, StringComparison.Ordinal);
        Assert.DoesNotContain("undecodable payload", line, StringComparison.Ordinal);
    }

    private static async Task ReadAsync(SubProcess sub, CountBarrier lines, Action<string> check)
    {
        while (await sub.Process.StandardOutput.ReadLineAsync() is { } line)
        {
            check(line);
            lines.Increment();
        }
    }

    private static string Failure(Task reader) => reader.IsFaulted ? reader.Exception!.InnerException!.Message + "\n" : string.Empty;
}

/// <summary>
/// The fuzzer keeps both cores busy for several seconds; it runs alone, after the parallel tests, so it cannot slow
/// a timing-bounded test (such as the 2 s broker-restart recovery) into a failure.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SubFuzzCollection
{
    public const string Name = "sub fuzzer (alone)";
}
