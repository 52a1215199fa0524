using System.Text;
using Decnet.Bus.Unix.Broker.Internal;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Broker;

/// <summary>
/// The route cache's flat layout (docs/performance-history-5.md, part 31): every entry's bytes come back as they were
/// added, W4's 10,000 topics fit one connection's budget, a new routing-table generation forgets every entry, and past
/// a budget a topic is routed from its own entry, uncached.
/// </summary>
public sealed class RouteCacheLayoutTests : IAsyncLifetime
{
    private const long _generation = 7;
    private TestBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await TestBroker.StartAsync(o => o.HeartbeatInterval = TimeSpan.Zero);

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    private BrokerHub Hub => _broker.Server.Hub!;

    [Fact]
    public void TenThousandW4Topics_AreAllCached_WhateverTheProcessSeed()
    {
        // The seed is drawn per process. With some seeds (about one in fifteen) an insert below half load met a run of
        // taken slots longer than the probe bound, and its topic stayed uncached for good: the test below failed in CI.
        for (var seed = 1UL; seed <= 64; seed++)
        {
            var cache = Started(seed * 0x9E3779B97F4A7C15UL);
            for (var i = 0; i < 10_000; i++)
            {
                cache.Add(Topic(i), Entry(i));
            }

            for (var i = 0; i < 10_000; i++)
            {
                Assert.True(cache.TryGet(Topic(i), _generation, out _), $"topic {i} was not cached with seed {seed}");
            }

            cache.Clear();
        }
    }

    [Fact]
    public void TenThousandTopicsOfW4sLength_AreAllCachedWithinOneConnectionsBudget_EachWithItsOwnBytes()
    {
        var cache = Started();
        for (var i = 0; i < 10_000; i++)
        {
            var added = cache.Add(Topic(i), Entry(i));
            AssertRoute(i, added);
        }

        for (var i = 0; i < 10_000; i++)
        {
            Assert.True(cache.TryGet(Topic(i), _generation, out var route), $"topic {i} was not cached");
            AssertRoute(i, route);
        }

        Assert.False(cache.TryGet("bench.t10000"u8, _generation, out _));
        Assert.InRange(cache.Bytes, 1, RouteCache.BudgetBytes);
        Assert.Equal(cache.Bytes, Hub.RouteCacheBytes);
    }

    [Fact]
    public void ANewGeneration_ForgetsEveryEntry_KeepingItsArraysCounted_AndClearGivesThemBack()
    {
        var cache = Started();
        for (var i = 0; i < 100; i++)
        {
            cache.Add(Topic(i), Entry(i));
        }

        var held = cache.Bytes;
        Assert.False(cache.TryGet(Topic(0), _generation + 1, out _));
        for (var i = 0; i < 100; i++)
        {
            Assert.False(cache.TryGet(Topic(i), _generation + 1, out _));
        }

        Assert.Equal(held, cache.Bytes);
        var again = cache.Add(Topic(5), Entry(5, _generation + 1));
        AssertRoute(5, again);
        Assert.True(cache.TryGet(Topic(5), _generation + 1, out var route));
        AssertRoute(5, route);

        cache.Clear();
        Assert.Equal(0, cache.Bytes);
        Assert.Equal(0, Hub.RouteCacheBytes);
        Assert.False(cache.TryGet(Topic(5), _generation + 1, out _));
    }

    [Fact]
    public void AnEntryOfAnOlderGeneration_IsNotCached()
    {
        var cache = Started();
        AssertRoute(3, cache.Add(Topic(3), Entry(3, _generation - 1)));
        Assert.False(cache.TryGet(Topic(3), _generation, out _));
        Assert.Equal(0, cache.Bytes);
    }

    [Fact]
    public void RefusedAndDeniedTopics_AreCachedAsSuch()
    {
        var cache = Started();
        var invalid = new RouteEntry();
        invalid.Reset(_generation);
        invalid.Refuse(new RequestRejection(BusErrorCode.InvalidTopic, "bad"));
        var denied = new RouteEntry();
        denied.Reset(_generation);
        denied.Deny(new RequestRejection(BusErrorCode.PermissionDenied, "not yours"));
        cache.Add("bad..topic"u8, invalid);
        cache.Add("secret.topic"u8, denied);
        cache.Add(Topic(1), Entry(1));

        Assert.True(cache.TryGet("bad..topic"u8, _generation, out var first));
        Assert.Equal("bad", first.Invalid?.Message);
        Assert.Null(first.Denied);
        Assert.True(cache.TryGet("secret.topic"u8, _generation, out var second));
        Assert.Equal("not yours", second.Denied?.Message);
        Assert.Null(second.Invalid);
        Assert.True(cache.TryGet(Topic(1), _generation, out var third));
        Assert.Null(third.Invalid);
        Assert.Null(third.Denied);
    }

    [Fact]
    public void ARefusalCachedAgainInEveryNewGeneration_KeepsTheCountSteady_AndStaysCached()
    {
        // Each generation forgets the refusal it held: its message must leave the count with it, or a publisher
        // hitting a refused topic while others subscribe would fill its budget (and the broker's) with nothing.
        var cache = Started();
        long? steady = null;
        for (var g = 0; g < 2_000; g++)
        {
            var generation = _generation + g;
            Assert.False(cache.TryGet("secret.topic"u8, generation, out _));
            var denied = new RouteEntry();
            denied.Reset(generation);
            denied.Deny(new RequestRejection(BusErrorCode.PermissionDenied, new string('d', 100)));
            cache.Add("secret.topic"u8, denied);

            Assert.True(cache.TryGet("secret.topic"u8, generation, out var route), $"not cached in generation {g}");
            Assert.NotNull(route.Denied);
            steady ??= cache.Bytes;
            Assert.Equal(steady, cache.Bytes);
            Assert.Equal(cache.Bytes, Hub.RouteCacheBytes);
        }

        cache.Clear();
        Assert.Equal(0, Hub.RouteCacheBytes);
    }

    [Fact]
    public async Task PastTheBrokersTotal_TopicsAreRoutedFromTheirOwnEntry_Uncached()
    {
        await using var small = await TestBroker.StartAsync(
            o => o.HeartbeatInterval = TimeSpan.Zero,
            limits: static l => l with { MaxTotalRouteCacheBytes = 16 * 1024 });
        var hub = small.Server.Hub!;
        var cache = new RouteCache(hub);
        Assert.False(cache.TryGet(Topic(0), _generation, out _));
        var cached = 0;
        for (var i = 0; i < 2_000; i++)
        {
            AssertRoute(i, cache.Add(Topic(i), Entry(i)));
            cached += cache.TryGet(Topic(i), _generation, out _) ? 1 : 0;
        }

        Assert.InRange(cached, 1, 1_999);
        Assert.InRange(hub.RouteCacheBytes, 1, 16 * 1024);
        Assert.Equal(cache.Bytes, hub.RouteCacheBytes);
    }

    private static byte[] Topic(int i) => Encoding.ASCII.GetBytes($"bench.t{i}");

    private static byte[] Head(int i) => Encoding.ASCII.GetBytes($"head of {i}");

    private static byte[] SidHead(int i, int target) => Encoding.ASCII.GetBytes($"sids {i}/{target}");

    private static RouteEntry Entry(int i, long generation = _generation)
    {
        var entry = new RouteEntry();
        entry.Reset(generation);
        entry.SetTopicHead(Head(i));
        for (var t = 0; t < 1 + (i % 3); t++)
        {
            entry.AddTarget(null!, SidHead(i, t)); // the cache keeps the staging without reading it
        }

        return entry;
    }

    private static void AssertRoute(int i, RouteView route)
    {
        Assert.Null(route.Invalid);
        Assert.Null(route.Denied);
        Assert.Equal(Head(i), route.TopicHead.ToArray());
        Assert.Equal(1 + (i % 3), route.Targets.Length);
        for (var t = 0; t < route.Targets.Length; t++)
        {
            Assert.Equal(SidHead(i, t), route.SidHead(route.Targets[t]).ToArray());
        }
    }

    private RouteCache Started(ulong? seed = null)
    {
        var cache = new RouteCache(Hub, seed);
        Assert.False(cache.TryGet("start"u8, _generation, out _)); // the first look-up takes the generation
        return cache;
    }
}
