using System.Text.Json;
using Decnet.Bus.Codec;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Interop;

/// <summary>
/// Python workers speaking the Python bus's text protocol (tests/interop/decnet_text_client.py, standard library only)
/// and .NET clients on one broker, both ways (docs/text-protocol.md).
/// </summary>
public sealed class PythonProtocolTests
{
    [StdlibPythonFact]
    public async Task PythonPublish_ReachesDotNetLiteralAndWildcardSubscriptions_AsAnOrdinaryBusEvent()
    {
        await using var broker = await TestBroker.StartAsync();
        var bus = broker.CreateClient("dotnet-sub");
        await using var literal = await bus.SubscribeAsync("decky.d1.state");
        await using var wildcard = await bus.SubscribeAsync("decky.*.state");
        await using var python = await PythonTextClient.StartAsync(broker.SocketPath, "py-pub");

        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        await python.SendAsync("""pub decky.d1.state state {"Decky": "d1", "Count": 42, "Ok": true, "Tags": ["a", "b"], "big": 18446744073709551615, "f": 1.0}""");

        foreach (var subscription in new[] { literal, wildcard })
        {
            var evt = await Receive.NextAsync(subscription);
            Assert.Equal("decky.d1.state", evt.Topic);
            Assert.Equal("state", evt.Type);
            Assert.True(EventId.IsValid(evt.Id), evt.Id);
            Assert.InRange(evt.Timestamp, before - 1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0 + 1);
            Assert.NotNull(evt.Publisher);
            Assert.NotEqual(Environment.ProcessId, evt.Publisher.Value.Pid);
            var typed = evt.ReadPayload<InteropPayload>();
            Assert.Equal(("d1", 42, true), (typed.Decky, typed.Count, typed.Ok));
            Assert.Equal(["a", "b"], typed.Tags);
            var map = evt.ReadPayloadAsDictionary();
            Assert.Equal(ulong.MaxValue, Convert.ToUInt64(map["big"], System.Globalization.CultureInfo.InvariantCulture));
            Assert.IsType<double>(map["f"]);
        }
    }

    [StdlibPythonFact]
    public async Task DotNetPublish_ReachesPythonLiteralAndWildcardPatterns_AsThePythonBrokersEnvelope_OncePerConnection()
    {
        await using var broker = await TestBroker.StartAsync();
        var bus = broker.CreateClient("dotnet-pub");
        await using var barrier = await TextBarrier.CreateAsync(bus);
        await using var python = await PythonTextClient.StartAsync(broker.SocketPath, "py-sub");
        await python.SendAsync("sub interop.d1.mutation");
        await python.SendAsync("sub interop.*.mutation");
        await python.SendAsync("sub interop.>");
        await barrier.PassAsync(python);

        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        await bus.PublishAsync("interop.d1.mutation", new InteropPayload("d1", 42, true, ["a", "b"]), "mutation");
        await bus.PublishAsync("interop.d2.status", new Dictionary<string, object> { ["f"] = 2.0, ["n"] = -3 }, "status");

        // Three patterns match the first event: one EVT, as the Python broker sends one per connection.
        var (topic, body) = await python.NextEventAsync();
        Assert.Equal("interop.d1.mutation", topic);
        Assert.Equal(["id", "payload", "publisher", "topic", "ts", "type", "v"], body.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(JsonValueKind.Number, body.GetProperty("v").ValueKind);
        Assert.Equal("1", body.GetProperty("v").GetRawText());
        Assert.True(EventId.IsValid(body.GetProperty("id").GetString()));
        Assert.Equal("interop.d1.mutation", body.GetProperty("topic").GetString());
        Assert.Equal("mutation", body.GetProperty("type").GetString());
        Assert.Contains('.', body.GetProperty("ts").GetRawText());
        Assert.InRange(body.GetProperty("ts").GetDouble(), before - 1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0 + 1);
        Assert.Equal(Environment.ProcessId, body.GetProperty("publisher").GetProperty("pid").GetInt32());
        var payload = body.GetProperty("payload");
        Assert.Equal("d1", payload.GetProperty("Decky").GetString());
        Assert.Equal(42, payload.GetProperty("Count").GetInt32());
        Assert.True(payload.GetProperty("Ok").GetBoolean());

        (topic, body) = await python.NextEventAsync();
        Assert.Equal("interop.d2.status", topic);
        Assert.Equal("2.0", body.GetProperty("payload").GetProperty("f").GetRawText());
        Assert.Equal("-3", body.GetProperty("payload").GetProperty("n").GetRawText());
    }

    [StdlibPythonFact]
    public async Task Unsub_StopsDelivery_AndAPythonClientNeverReceivesItsOwnPublish()
    {
        await using var broker = await TestBroker.StartAsync();
        var bus = broker.CreateClient("dotnet");
        await using var barrier = await TextBarrier.CreateAsync(bus);
        await using var dotnetEcho = await bus.SubscribeAsync("echo.>");
        await using var python = await PythonTextClient.StartAsync(broker.SocketPath, "py");
        await python.SendAsync("sub echo.>");
        await python.SendAsync("sub u.>");
        await barrier.PassAsync(python);

        // Its own publish reaches the .NET subscriber but not itself.
        await python.SendAsync("""pub echo.py own {}""");
        Assert.Equal("echo.py", (await Receive.NextAsync(dotnetEcho)).Topic);
        await bus.PublishAsync("echo.net", new Dictionary<string, int> { ["n"] = 1 });
        Assert.Equal("echo.net", (await python.NextEventAsync()).Topic);

        await bus.PublishAsync("u.1", new Dictionary<string, int> { ["n"] = 1 });
        Assert.Equal("u.1", (await python.NextEventAsync()).Topic);
        await python.SendAsync("unsub u.>");
        await barrier.PassAsync(python);
        await bus.PublishAsync("u.2", new Dictionary<string, int> { ["n"] = 2 });
        await bus.PublishAsync("echo.after", new Dictionary<string, int> { ["n"] = 3 });
        Assert.Equal("echo.after", (await python.NextEventAsync()).Topic);
    }

    [StdlibPythonFact]
    public async Task Bye_ClosesOnlyThatConnection_AndAStoppingBrokerSaysByeToPythonClients()
    {
        await using var broker = await TestBroker.StartAsync();
        var bus = broker.CreateClient("dotnet");
        await using var barrier = await TextBarrier.CreateAsync(bus);
        await using var leaving = await PythonTextClient.StartAsync(broker.SocketPath, "py-leaving");
        await using var staying = await PythonTextClient.StartAsync(broker.SocketPath, "py-staying");
        await staying.SendAsync("sub b.>");
        await barrier.PassAsync(staying);

        await leaving.SendAsync("bye");
        Assert.Equal("CLOSED", await leaving.NextLineAsync());
        await bus.PublishAsync("b.1", new Dictionary<string, int> { ["n"] = 1 });
        Assert.Equal("b.1", (await staying.NextEventAsync()).Topic);

        await broker.Server.StopAsync(CancellationToken.None);
        Assert.Equal("BYE", await staying.NextLineAsync());
        Assert.Equal("CLOSED", await staying.NextLineAsync());
    }

    [StdlibPythonFact]
    public async Task Stats_ShowThePythonConnectionsProtocol_NameAndSubscriptions()
    {
        await using var broker = await TestBroker.StartAsync();
        var bus = broker.CreateClient("dotnet-stats");
        await using var barrier = await TextBarrier.CreateAsync(bus);
        await using var python = await PythonTextClient.StartAsync(broker.SocketPath, "decnet-bus-client[py]");
        await python.SendAsync("sub a.>");
        await python.SendAsync("sub a.>");
        await python.SendAsync("sub b.*");
        await barrier.PassAsync(python);

        var stats = await bus.GetBrokerStatsAsync();

        var row = Assert.Single(stats.Connections, c => c.Name == "decnet-bus-client[py]");
        Assert.Equal(BrokerConnectionStats.PythonProtocol, row.Protocol);
        Assert.Equal(2, row.Subscriptions);
        Assert.Equal(1, row.Published);
        Assert.Equal(BrokerConnectionStats.MessagePackProtocol, Assert.Single(stats.Connections, c => c.Name == "dotnet-stats").Protocol);
    }

    [StdlibPythonFact]
    public async Task Heartbeats_ReachPythonSubscribers()
    {
        await using var broker = await TestBroker.StartAsync();
        var bus = broker.CreateClient("dotnet");
        await using var barrier = await TextBarrier.CreateAsync(bus);
        await using var python = await PythonTextClient.StartAsync(broker.SocketPath, "py-health");
        await python.SendAsync("sub system.bus.health");
        await barrier.PassAsync(python);

        broker.Server.PublishHeartbeat(broker.Server.Hub!);

        var (topic, body) = await python.NextEventAsync();
        Assert.Equal("system.bus.health", topic);
        Assert.Equal("health", body.GetProperty("type").GetString());
        Assert.Equal(Environment.ProcessId, body.GetProperty("payload").GetProperty("pid").GetInt32());
        Assert.Equal(Environment.ProcessId, body.GetProperty("publisher").GetProperty("pid").GetInt32());
        Assert.Equal(2, body.GetProperty("payload").GetProperty("connections").GetInt32());
    }

    [StdlibPythonFact]
    public async Task EventsWithoutATextForm_AreDroppedAndCounted_AndTheNextOneArrives()
    {
        await using var broker = await TestBroker.StartAsync();
        var bus = broker.CreateClient("dotnet");
        await using var barrier = await TextBarrier.CreateAsync(bus);
        await using var python = await PythonTextClient.StartAsync(broker.SocketPath, "py-drops");
        await python.SendAsync("sub t.>");
        await barrier.PassAsync(python);

        // A nested map with an integer key has no JSON form; a non-ASCII topic cannot be a Python header.
        await bus.PublishAsync("t.intkey", new Dictionary<string, object> { ["m"] = new Dictionary<int, string> { [1] = "x" } });
        await bus.PublishAsync("t.é", new Dictionary<string, int> { ["n"] = 1 });
        await bus.PublishAsync("t.bin", new Dictionary<string, object> { ["b"] = new byte[] { 1, 2, 255 } });

        var (topic, body) = await python.NextEventAsync();
        Assert.Equal("t.bin", topic);
        Assert.Equal(Convert.ToBase64String([1, 2, 255]), body.GetProperty("payload").GetProperty("b").GetProperty("$bin").GetString());
        var stats = broker.Server.GetStats();
        Assert.Equal(2, stats.Rejections["untranslatable"]);
        Assert.Equal(2, Assert.Single(stats.Connections, c => c.Name == "py-drops").Dropped);
    }

    [StdlibPythonFact]
    public async Task ATracedPublish_ReachesAPythonSubscriber_AsTheSameEnvelope_WithoutTheTrace()
    {
        await using var broker = await TestBroker.StartAsync();
        var bus = broker.CreateClient("dotnet");
        await using var barrier = await TextBarrier.CreateAsync(bus);
        await using var python = await PythonTextClient.StartAsync(broker.SocketPath, "py-traced");
        await python.SendAsync("sub tr.>");
        await barrier.PassAsync(python);

        // The EVT queued for the Python subscriber has 9 elements; the Python envelope has no field for the ninth.
        await bus.ForwardAsync(new BusEvent("tr.a", BusCodec.EmptyMap, "x", new string('a', 32), 1.5) { TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" });
        await bus.ForwardAsync(new BusEvent("tr.a", BusCodec.EmptyMap, "x", new string('b', 32), 1.5));

        foreach (var id in new[] { new string('a', 32), new string('b', 32) })
        {
            var (topic, body) = await python.NextEventAsync();
            Assert.Equal("tr.a", topic);
            Assert.Equal(id, body.GetProperty("id").GetString());
            Assert.Equal(["id", "payload", "publisher", "topic", "ts", "type", "v"], body.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        }

        var stats = broker.Server.GetStats();
        Assert.False(stats.Rejections.ContainsKey("untranslatable"));
        Assert.Equal(0, Assert.Single(stats.Connections, c => c.Name == "py-traced").Dropped);
    }

    [StdlibPythonFact]
    public async Task PythonPublishesWithoutAMessagePackForm_AreDroppedAndCounted_AndTheConnectionStays()
    {
        await using var broker = await TestBroker.StartAsync();
        var bus = broker.CreateClient("dotnet");
        await using var sub = await bus.SubscribeAsync("p.>");
        await using var python = await PythonTextClient.StartAsync(broker.SocketPath, "py-untranslatable");

        await python.SendAsync("""pubbody p.big {"payload": {"n": 18446744073709551616}}""");
        await python.SendAsync("""pubbody p.list {"payload": [1, 2]}""");
        await python.SendAsync("""pubbody p.surrogate {"payload": {"s": "\ud800"}}""");
        await python.SendAsync("""pubbody p.falsy {"payload": null, "type": ""}""");

        var evt = await Receive.NextAsync(sub);
        Assert.Equal("p.falsy", evt.Topic);
        Assert.Empty(evt.ReadPayloadAsDictionary());
        Assert.Equal(3, broker.Server.GetStats().Rejections["untranslatable"]);
    }
}
