namespace Decnet.Bus.Conformance;

public abstract partial class BusConformanceTests
{
    [Fact]
    public async Task Envelope_TopicTypeIdTimestampAndVersion_AreSet()
    {
        var publisher = await NewBusAsync();
        var subscriber = await NewBusAsync();
        await using var subscription = await subscriber.SubscribeAsync(T("env.>"));

        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        await publisher.PublishAsync(T("env.a"), new { n = 1 }, type: "applied");
        await publisher.PublishAsync(T("env.b"), new { n = 2 });
        var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        var events = await ReadAsync(subscription, 2);

        Assert.Equal([T("env.a"), T("env.b")], events.Select(e => e.Topic));
        Assert.Equal("applied", events[0].Type);
        Assert.Equal(string.Empty, events[1].Type);
        Assert.All(events, e => Assert.Equal(BusEvent.CurrentVersion, e.Version));
        Assert.All(events, e => Assert.True(EventId.IsValid(e.Id), $"bad id \"{e.Id}\""));
        Assert.NotEqual(events[0].Id, events[1].Id);

        // One second of slack each side: clocks tick coarsely, and a broker may sit in another process.
        Assert.All(events, e => Assert.InRange(e.Timestamp, before - 1, after + 1));
    }

    [Fact]
    public async Task Payload_Typed_RoundTripsTypedAndAsDictionary()
    {
        var publisher = await NewBusAsync();
        var subscriber = await NewBusAsync();
        await using var subscription = await subscriber.SubscribeAsync(T("pay.typed"));
        var sent = new SamplePayload { Name = "décky-01 ✓", Count = 42, Ratio = 0.25, Enabled = true, Tags = ["ssh", "http"] };

        await publisher.PublishAsync(T("pay.typed"), sent);
        var evt = await ReadOneAsync(subscription);

        var typed = evt.ReadPayload<SamplePayload>();
        Assert.Equal(sent.Name, typed.Name);
        Assert.Equal(sent.Count, typed.Count);
        Assert.Equal(sent.Ratio, typed.Ratio);
        Assert.Equal(sent.Enabled, typed.Enabled);
        Assert.Equal(sent.Tags, typed.Tags);

        var map = evt.ReadPayloadAsDictionary();
        Assert.Equal(sent.Name, map["Name"]);
        Assert.Equal(42, Convert.ToInt32(map["Count"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0.25, map["Ratio"]);
        Assert.Equal(true, map["Enabled"]);
        Assert.Equal(["ssh", "http"], Assert.IsType<object[]>(map["Tags"]).Cast<string>());
    }

    [Fact]
    public async Task Payload_Dictionary_RoundTripsAsDictionaryAndTyped()
    {
        var publisher = await NewBusAsync();
        var subscriber = await NewBusAsync();
        await using var subscription = await subscriber.SubscribeAsync(T("pay.dict"));
        var sent = new Dictionary<string, object?>
        {
            ["Publisher"] = 3,
            ["Seq"] = 70_000,
            ["nested"] = new Dictionary<string, object?> { ["ok"] = true },
            ["nothing"] = null,
        };

        await publisher.PublishAsync(T("pay.dict"), sent);
        var evt = await ReadOneAsync(subscription);

        var map = evt.ReadPayloadAsDictionary();
        Assert.Equal(70_000, Convert.ToInt32(map["Seq"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Null(map["nothing"]);
        var nested = Assert.IsAssignableFrom<IDictionary<object, object?>>(map["nested"]);
        Assert.Equal(true, nested["ok"]);

        var typed = evt.ReadPayload<SequencePayload>();
        Assert.Equal(3, typed.Publisher);
        Assert.Equal(70_000, typed.Seq);
    }

    [Fact]
    public async Task Payload_Null_ArrivesAsEmptyMap()
    {
        var bus = await NewBusAsync();
        await using var subscription = await bus.SubscribeAsync(T("pay.null"));

        await bus.PublishAsync<object?>(T("pay.null"), null);

        Assert.Empty((await ReadOneAsync(subscription)).ReadPayloadAsDictionary());
    }
}
