using Decnet.Bus.Unix.Client.Internal;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// The process's cache of encoded PUB heads: each topic and type validated and encoded once, bounded, never holding an
/// invalid topic; a publisher moving between cached topics allocates nothing.
/// </summary>
public sealed class PublishHeadCacheTests
{
    [Fact]
    public void Find_EncodesEachTopicAndTypeOnce()
    {
        var cache = new PublishHeadCache(8);

        var first = cache.Find("a.b", string.Empty);
        var again = cache.Find("a.b", string.Empty);
        var typed = cache.Find("a.b", "applied");

        Assert.NotNull(first);
        Assert.Same(first, again);
        Assert.NotSame(first, typed);
        Assert.Equal(2, cache.Count);
        Assert.Equal(3, first.TopicBytes);
        Assert.Equal(OwnEncoding("a.b", "applied"), typed!.Bytes.ToArray());
    }

    [Fact]
    public void AFullCache_TakesNoMore_AndItsHeadsStay()
    {
        var cache = new PublishHeadCache(2);
        var a = cache.Find("a", string.Empty);
        var b = cache.Find("b", string.Empty);

        Assert.Null(cache.Find("c", string.Empty));
        Assert.Equal(2, cache.Count);
        Assert.Same(a, cache.Find("a", string.Empty));
        Assert.Same(b, cache.Find("b", string.Empty));
    }

    [Fact]
    public void AFullCache_StillValidates_AndEncodesOnTheThread()
    {
        var head = new PublishHead(new PublishHeadCache(0));

        Assert.Throws<ArgumentException>(() => head.Use("a..b", null));
        head.Use("decky.d1.mutation", null);

        Assert.Equal(17, head.TopicBytes);
    }

    [Fact]
    public void ATopicAndTypeTooLongTogether_AreNotCached()
    {
        var cache = new PublishHeadCache(8);
        var topic = new string('t', PublishHeadCache.MaxCachedBytes - 4);

        Assert.NotNull(cache.Find(topic, "four"));
        Assert.Null(cache.Find(topic, "five!"));
        Assert.Equal(1, cache.Count);
    }

    [Theory]
    [InlineData("a..b", "")]
    [InlineData("a.*", "")]
    [InlineData("a.b", "bad type\n")]
    public void AnInvalidTopicOrType_IsRefused_AndNotCached(string topic, string type)
    {
        var cache = new PublishHeadCache(8);

        Assert.Throws<ArgumentException>(() => cache.Find(topic, type));
        Assert.Throws<ArgumentException>(() => cache.Find(topic, type));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void ThreadsFindingOneNewTopicAtOnce_AddItOnce_AndAllGetItsBytes()
    {
        var cache = new PublishHeadCache(8);
        using var start = new Barrier(4);
        var found = new EncodedHead?[4];
        var met = new bool[4];
        var threads = Enumerable.Range(0, 4).Select(i => new Thread(() =>
        {
            met[i] = start.SignalAndWait(TimeSpan.FromSeconds(30));
            found[i] = cache.Find("decky.d1.mutation", string.Empty);
        })).ToArray();
        foreach (var thread in threads)
        {
            thread.Start();
        }

        foreach (var thread in threads)
        {
            Assert.True(thread.Join(TimeSpan.FromSeconds(60)));
        }

        Assert.All(met, Assert.True);
        Assert.Equal(1, cache.Count);
        Assert.All(found, head => Assert.Equal(OwnEncoding("decky.d1.mutation", string.Empty), head!.Bytes.ToArray()));
    }

    [Fact]
    public void MovingBetweenCachedTopics_AllocatesNothing()
    {
        // Only cached heads: a head the cache lacks is validated again, and the runtime's span scans it uses allocate
        // while they run unoptimized, which a test cannot wait out without waiting for time.
        var cache = new PublishHeadCache(8);
        var head = new PublishHead(cache);
        var topics = Enumerable.Range(0, 8).Select(i => $"decky.d{i}.mutation").ToArray();
        foreach (var topic in topics)
        {
            head.Use(topic, null);
        }

        var allocated = LeastAllocated.Of(() =>
        {
            for (var round = 0; round < 1_000; round++)
            {
                foreach (var topic in topics)
                {
                    head.Use(topic, null);
                }
            }
        });

        Assert.Equal(0, allocated);
        Assert.Equal(8, cache.Count);
    }

    private static byte[] OwnEncoding(string topic, string type)
    {
        using var buffer = new PooledBufferWriter(64);
        EncodedHead.Write(buffer, topic, type);
        return buffer.WrittenSpan.ToArray();
    }
}
