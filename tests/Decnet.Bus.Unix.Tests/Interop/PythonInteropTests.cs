using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Decnet.Bus.Codec;
using Decnet.Bus.Tracing;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Interop;

/// <summary>
/// A Python client written only from docs/wire-protocol.md talks to the C# broker and client both ways: the proof
/// that the document is enough to implement the protocol in another language.
/// </summary>
public sealed class PythonInteropTests
{
    [PythonFact]
    public async Task PythonSubscriber_ReceivesTypedEventPublishedFromDotNet()
    {
        await PythonClient.EnsureAvailableAsync();
        await using var broker = await TestBroker.StartAsync();
        await using var python = PythonClient.Start("sub", broker.SocketPath, "interop.>", "1");
        Assert.StartsWith("READY ", await python.ReadLineAsync(), StringComparison.Ordinal);

        var bus = broker.CreateClient("dotnet-pub");
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        await bus.PublishAsync("interop.d1.mutation", new InteropPayload("d1", 42, true, ["a", "b"]), "mutation");

        using var json = JsonDocument.Parse(await python.ReadLineAsync());
        var evt = json.RootElement;
        Assert.Equal("interop.d1.mutation", evt.GetProperty("topic").GetString());
        Assert.Equal("mutation", evt.GetProperty("type").GetString());
        Assert.True(EventId.IsValid(evt.GetProperty("id").GetString()), evt.GetProperty("id").GetString());
        var ts = evt.GetProperty("ts").GetDouble();
        Assert.InRange(ts, before - 1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0 + 1);
        Assert.Equal(Environment.ProcessId, evt.GetProperty("publisher").GetProperty("pid").GetInt32());
        Assert.Equal([1], evt.GetProperty("sids").EnumerateArray().Select(s => s.GetInt32()));
        var payload = evt.GetProperty("payload");
        Assert.Equal("d1", payload.GetProperty("Decky").GetString());
        Assert.Equal(42, payload.GetProperty("Count").GetInt32());
        Assert.True(payload.GetProperty("Ok").GetBoolean());
        Assert.Equal(["a", "b"], payload.GetProperty("Tags").EnumerateArray().Select(t => t.GetString()));
        await python.ExpectSuccessAsync();
    }

    [PythonFact]
    public async Task PythonSubscriber_ReceivesATracedEvt_WithItsNinthElement()
    {
        // A publish made inside an Activity carries the trace (docs/wire-protocol.md §3): its EVT has 9 elements.
        await PythonClient.EnsureAvailableAsync();
        await using var broker = await TestBroker.StartAsync();
        await using var python = PythonClient.Start("sub", broker.SocketPath, "traced.>", "2");
        Assert.StartsWith("READY ", await python.ReadLineAsync(), StringComparison.Ordinal);
        await using var publisher = await RawClient.ConnectAsync(broker.SocketPath);

        const string traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        await publisher.SendAsync(b => FrameWriter.WritePubRaw(b, "traced.x", "t", "0123456789abcdef0123456789abcdef", 1.5, [0x80], new TraceContext(traceparent, null)));
        await publisher.SendAsync(b => FrameWriter.WritePubRaw(b, "traced.y", "t", "0123456789abcdef0123456789abcdee", 2.5, [0x80]));

        using (var traced = JsonDocument.Parse(await python.ReadLineAsync()))
        {
            Assert.Equal("traced.x", traced.RootElement.GetProperty("topic").GetString());
            Assert.Equal(traceparent, traced.RootElement.GetProperty("trace").GetProperty("traceparent").GetString());
        }

        using (var plain = JsonDocument.Parse(await python.ReadLineAsync()))
        {
            Assert.Equal("traced.y", plain.RootElement.GetProperty("topic").GetString());
            Assert.False(plain.RootElement.TryGetProperty("trace", out _));
        }

        await python.ExpectSuccessAsync();
    }

    [PythonFact]
    public async Task DotNetSubscriber_ReceivesEventPublishedFromPython()
    {
        await PythonClient.EnsureAvailableAsync();
        await using var broker = await TestBroker.StartAsync();
        var bus = broker.CreateClient("dotnet-sub");
        await using var sub = await bus.SubscribeAsync("interop.>");

        await using var python = PythonClient.Start("pub", broker.SocketPath, "interop.py.status", "status", """{"decky": "d2", "count": 7, "tags": ["x"]}""");
        var published = await python.ReadLineAsync();
        var evt = await Receive.NextAsync(sub);

        Assert.Equal($"PUBLISHED {evt.Id}", published);
        Assert.Equal("interop.py.status", evt.Topic);
        Assert.Equal("status", evt.Type);
        Assert.True(EventId.IsValid(evt.Id));
        Assert.InRange(evt.Timestamp, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        Assert.Equal(python.Pid, evt.Publisher?.Pid);
        var payload = BusCodec.DeserializePayloadAsDictionary(evt.Payload);
        Assert.Equal("d2", payload["decky"]);
        Assert.Equal(7L, Convert.ToInt64(payload["count"], CultureInfo.InvariantCulture));
        Assert.Equal(["x"], ((object?[])payload["tags"]!).Cast<string>());
        await python.ExpectSuccessAsync();
    }

    [PythonFact]
    public async Task PythonPublisher_OnInvalidTopic_GetsErr3_AndKeepsItsConnection()
    {
        await PythonClient.EnsureAvailableAsync();
        await using var broker = await TestBroker.StartAsync();

        await using var python = PythonClient.Start("badtopic", broker.SocketPath, "bad..topic");

        Assert.StartsWith("ERR 3 ", await python.ReadLineAsync(), StringComparison.Ordinal);
        Assert.Equal("OPEN", await python.ReadLineAsync());
        await python.ExpectSuccessAsync();
    }
}
