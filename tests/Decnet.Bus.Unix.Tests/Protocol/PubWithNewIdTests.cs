using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Tests.Protocol;

public sealed class PubWithNewIdTests
{
    // Frame head up to the id: length(4), fixarray+kind(2), fixstr(17) topic, fixstr(8) type, str8 header(2).
    private const int _idOffset = 4 + 2 + 18 + 9 + 2;

    public static TheoryData<object> Payloads => new()
    {
        new InteropProbe("d1", 42),
        new Dictionary<string, object> { ["decky"] = "d1", ["n"] = 3 },
    };

    [Theory]
    [MemberData(nameof(Payloads))]
    public void Write_IsByteIdenticalToFrameWriter(object payload)
    {
        for (var round = 0; round < 3; round++)
        {
            // Several rounds: the codec takes its cached fast path for a type once it has validated it.
            using var fast = new PooledBufferWriter();
            using var reference = new PooledBufferWriter();
            FrameWriter.WritePubWithNewId(fast, "decky.d1.mutation", "mutation", 1795000000.5, payload);
            var id = System.Text.Encoding.ASCII.GetString(fast.WrittenSpan.Slice(_idOffset, EventId.Length));
            FrameWriter.WritePub(reference, "decky.d1.mutation", "mutation", id, 1795000000.5, payload);

            Assert.True(EventId.IsValid(id), id);
            Assert.Equal(reference.WrittenSpan.ToArray(), fast.WrittenSpan.ToArray());
        }
    }

    [Fact]
    public void Write_FreshIdEveryTime()
    {
        var ids = new HashSet<string>();
        using var buffer = new PooledBufferWriter();
        for (var i = 0; i < 1000; i++)
        {
            buffer.Reset();
            FrameWriter.WritePubWithNewId(buffer, "decky.d1.mutation", "mutation", 1.0, new InteropProbe("d", i));
            Assert.True(ids.Add(System.Text.Encoding.ASCII.GetString(buffer.WrittenSpan.Slice(_idOffset, EventId.Length))));
        }
    }

    [Fact]
    public void Write_NonMapPayload_ThrowsEveryTime()
    {
        using var buffer = new PooledBufferWriter();
        Assert.Throws<ArgumentException>(() => FrameWriter.WritePubWithNewId(buffer, "a.b", string.Empty, 1.0, 42));
        Assert.Throws<ArgumentException>(() => FrameWriter.WritePubWithNewId(buffer, "a.b", string.Empty, 1.0, 42));
    }

    /// <summary>A sealed typed payload: eligible for the codec's per-type fast path.</summary>
    public sealed record InteropProbe(string Decky, int N);
}
