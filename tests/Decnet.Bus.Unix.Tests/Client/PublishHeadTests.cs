using Decnet.Bus.Unix.Client.Internal;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>The cached PUB head writes the very bytes <see cref="FrameWriter.WritePubWithNewId{T}"/> writes (the wire must not change).</summary>
public sealed class PublishHeadTests
{
    [Theory]
    [InlineData("a.b", "", 8)]
    [InlineData("decky.éàü.mutation", "applied", 8)]
    [InlineData("x", "t", 8)]
    [InlineData("a.b", "", 0)]
    [InlineData("decky.éàü.mutation", "applied", 0)]
    public void WriteFrame_IsByteIdenticalToFrameWriter_ExceptTheRandomId(string topic, string type, int cacheCapacity)
    {
        // Capacity 0: the head is this thread's own encoding; 8: it comes from the cache.
        var cache = new PublishHeadCache(cacheCapacity);
        var head = new PublishHead(cache);

        // Away and back: the second Use finds the head again (in the cache, or encodes it anew when there is none).
        head.Use(topic, type);
        head.Use("other.topic", type);
        head.Use(topic, type);

        AssertWritesFrameOf(head, topic, type);
        Assert.Equal(Math.Min(cacheCapacity, 2), cache.Count);
    }

    [Fact]
    public void ATopicTooLongToCache_IsEncodedOnTheThread()
    {
        var cache = new PublishHeadCache(8);
        var head = new PublishHead(cache);
        var topic = "a." + new string('x', PublishHeadCache.MaxCachedBytes);

        head.Use(topic, null);
        head.Use("a.b", null);
        head.Use(topic, null);

        AssertWritesFrameOf(head, topic, string.Empty);
        Assert.Equal(topic.Length, head.TopicBytes);
        Assert.Equal(1, cache.Count);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(0)]
    public void AUseThatFails_LeavesNoHeadBehind(int cacheCapacity)
    {
        var head = new PublishHead(new PublishHeadCache(cacheCapacity));
        head.Use("a.b", null);
        Assert.Throws<ArgumentException>(() => head.Use("a..b", null));
        Assert.Throws<ArgumentException>(() => head.Use("a.*", null));

        // Once matched the forgotten head's type, and a frame went out on "a.b".
        Assert.Throws<ArgumentNullException>(() => head.Use(null!, null));

        head.Use("c.d", null);
        AssertWritesFrameOf(head, "c.d", string.Empty);
        head.Use("a.b", null);
        Assert.Equal(3, head.TopicBytes);
        AssertWritesFrameOf(head, "a.b", string.Empty);
    }

    /// <summary>The frame <paramref name="head"/> writes is the one <see cref="FrameWriter"/> writes, but for the random id.</summary>
    private static void AssertWritesFrameOf(PublishHead head, string topic, string type)
    {
        using var written = new PooledBufferWriter(256);
        using var reference = new PooledBufferWriter(256);
        var payload = new Dictionary<string, object?> { ["n"] = 7, ["s"] = "x" };
        head.WriteFrame(written, 1_763_900_000.125, payload);
        FrameWriter.WritePubWithNewId(reference, topic, type, 1_763_900_000.125, payload);

        var expected = reference.WrittenSpan.ToArray();
        var actual = written.WrittenSpan.ToArray();
        var idAt = IdOffset(expected);
        Assert.Equal(expected.Length, actual.Length);
        Assert.Equal(expected[..idAt], actual[..idAt]);
        Assert.Equal(expected[(idAt + EventId.Length)..], actual[(idAt + EventId.Length)..]);
        Assert.True(EventId.IsValid(System.Text.Encoding.ASCII.GetString(actual, idAt, EventId.Length)));
    }

    /// <summary>Where the id's 32 bytes start: after the str8 header (0xd9 0x20) that precedes them.</summary>
    private static int IdOffset(byte[] frame)
    {
        for (var i = 0; i + 1 < frame.Length; i++)
        {
            if (frame[i] == 0xd9 && frame[i + 1] == EventId.Length)
            {
                return i + 2;
            }
        }

        throw new InvalidOperationException("no id in the frame");
    }
}
