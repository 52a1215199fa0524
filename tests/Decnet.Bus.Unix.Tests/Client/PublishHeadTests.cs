using Decnet.Bus.Unix.Client.Internal;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>The cached PUB head writes the very bytes <see cref="FrameWriter.WritePubWithNewId{T}"/> writes (the wire must not change).</summary>
public sealed class PublishHeadTests
{
    [Theory]
    [InlineData("a.b", "")]
    [InlineData("decky.éàü.mutation", "applied")]
    [InlineData("x", "t")]
    public void WriteFrame_IsByteIdenticalToFrameWriter_ExceptTheRandomId(string topic, string type)
    {
        var head = new PublishHead();
        using var cached = new PooledBufferWriter(256);
        using var reference = new PooledBufferWriter(256);
        var payload = new Dictionary<string, object?> { ["n"] = 7, ["s"] = "x" };

        // Twice: the second frame comes from the cached head.
        head.Use(topic, type);
        head.Use(topic, type);
        head.WriteFrame(cached, 1_763_900_000.125, payload);
        FrameWriter.WritePubWithNewId(reference, topic, type, 1_763_900_000.125, payload);

        var idAt = IdOffset(reference.WrittenSpan.ToArray());
        var expected = reference.WrittenSpan.ToArray();
        var actual = cached.WrittenSpan.ToArray();
        Assert.Equal(expected.Length, actual.Length);
        Assert.Equal(expected[..idAt], actual[..idAt]);
        Assert.Equal(expected[(idAt + EventId.Length)..], actual[(idAt + EventId.Length)..]);
        Assert.True(EventId.IsValid(System.Text.Encoding.ASCII.GetString(actual, idAt, EventId.Length)));
    }

    [Fact]
    public void Use_ValidatesEachNewTopic_AndFailsWithoutForgettingTheLastGoodOne()
    {
        var head = new PublishHead();
        head.Use("a.b", null);
        Assert.Throws<ArgumentException>(() => head.Use("a..b", null));
        Assert.Throws<ArgumentException>(() => head.Use("a.*", null));
        head.Use("a.b", null);
        Assert.Equal(3, head.TopicBytes);
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
