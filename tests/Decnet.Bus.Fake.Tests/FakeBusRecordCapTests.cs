namespace Decnet.Bus.Fake.Tests;

/// <summary>
/// Any host can run on FakeBus (<c>DECNET_BUS_TYPE=fake</c>), so its record of publishes is bounded: the oldest go
/// first, and are counted (docs/dotnet-hosts.md, "Testing with FakeBus").
/// </summary>
public sealed class FakeBusRecordCapTests
{
    [Fact]
    public async Task DefaultOptions_KeepTheNewest10000_AndCountTheRest()
    {
        await using var bus = new FakeBus();

        for (var i = 0; i < 10_005; i++)
        {
            await bus.PublishAsync($"cap.n{i}", new { i });
        }

        var published = bus.Published;
        Assert.Equal(10_000, published.Count);
        Assert.Equal("cap.n5", published[0].Topic);
        Assert.Equal("cap.n10004", published[^1].Topic);
        Assert.Equal(5, bus.DroppedFromRecord);
        Assert.Equal(10_005, bus.Counters.Published);
    }

    [Fact]
    public async Task SmallCap_WaitsSeeTheKeptHistoryAndLivePublishes()
    {
        await using var bus = new FakeBus(new FakeBusOptions { MaxRecordedEvents = 2 });
        await bus.PublishAsync("cap.a", new { });
        await bus.PublishAsync("cap.b", new { });
        await bus.PublishAsync("cap.c", new { });

        Assert.Equal(["cap.b", "cap.c"], bus.Published.Select(e => e.Topic));
        Assert.Equal(1, bus.DroppedFromRecord);

        var wait = bus.WaitForCountAsync("cap.>", 3, timeout: TimeSpan.FromSeconds(10));
        await bus.PublishAsync("cap.d", new { });

        Assert.Equal(["cap.b", "cap.c", "cap.d"], (await wait).Select(e => e.Topic));
        Assert.Equal(["cap.c", "cap.d"], bus.Published.Select(e => e.Topic));
        Assert.Equal(2, bus.DroppedFromRecord);
    }

    [Fact]
    public async Task ZeroCap_RecordsNothing_ButLiveWaitsStillMatch()
    {
        await using var bus = new FakeBus(new FakeBusOptions { MaxRecordedEvents = 0 });
        var wait = bus.WaitForAsync("cap.>", timeout: TimeSpan.FromSeconds(10));

        await bus.PublishAsync("cap.live", new { });

        Assert.Equal("cap.live", (await wait).Topic);
        Assert.Empty(bus.Published);
        Assert.Equal(1, bus.DroppedFromRecord);
    }

    [Fact]
    public void NegativeCap_IsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FakeBus(new FakeBusOptions { MaxRecordedEvents = -1 }));
    }

    [Fact]
    public async Task ByteCap_ForgetsTheOldestOnceThePayloadsExceedIt_AndCountsThem()
    {
        await using var bus = new FakeBus(new FakeBusOptions { MaxRecordedBytes = 3_000_000 });
        var blob = new byte[1_000_000];

        for (var i = 0; i < 5; i++)
        {
            await bus.PublishAsync($"big.n{i}", new Dictionary<string, object> { ["b"] = blob });
        }

        // Each payload is a little over 1,000,000 bytes: two fit under 3,000,000, a third does not.
        Assert.Equal(["big.n3", "big.n4"], bus.Published.Select(e => e.Topic));
        Assert.Equal(3, bus.DroppedFromRecord);
        Assert.True(bus.Published.Sum(e => e.Payload.Length) <= 3_000_000);
    }

    [Fact]
    public async Task DefaultByteCap_Is64MiB_SoDefaultSizedEventsCannotHold10000MiB()
    {
        Assert.Equal(64L * 1024 * 1024, FakeBusOptions.DefaultMaxRecordedBytes);
        await using var bus = new FakeBus();
        var blob = new byte[1_000_000];

        for (var i = 0; i < 70; i++)
        {
            await bus.PublishAsync("big.x", new Dictionary<string, object> { ["b"] = blob });
        }

        Assert.Equal(67, bus.Published.Count);
        Assert.Equal(3, bus.DroppedFromRecord);
    }

    [Fact]
    public async Task ByteCap_IsKeptAfterClear()
    {
        await using var bus = new FakeBus(new FakeBusOptions { MaxRecordedBytes = 2_500_000 });
        var blob = new byte[1_000_000];
        await bus.PublishAsync("big.a", new Dictionary<string, object> { ["b"] = blob });
        await bus.PublishAsync("big.b", new Dictionary<string, object> { ["b"] = blob });

        bus.Clear();
        await bus.PublishAsync("big.c", new Dictionary<string, object> { ["b"] = blob });
        await bus.PublishAsync("big.d", new Dictionary<string, object> { ["b"] = blob });

        Assert.Equal(["big.c", "big.d"], bus.Published.Select(e => e.Topic));
        Assert.Equal(0, bus.DroppedFromRecord);
    }

    [Fact]
    public void NegativeByteCap_IsRejected()
        => Assert.Throws<ArgumentOutOfRangeException>(() => new FakeBus(new FakeBusOptions { MaxRecordedBytes = -1 }));
}
