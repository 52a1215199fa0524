using System.Buffers;
using System.Text.Json;
using Decnet.Bus.Unix.Broker.Internal;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Protocol.Python;
using MessagePack;

namespace Decnet.Bus.Unix.Tests.Broker.Python;

/// <summary>An event's text EVT for a Python subscriber, and the 1 MiB bound on its body (docs/text-protocol.md §2).</summary>
public sealed class TextEvtWriterTests
{
    private const int _header = 12; // "EVT t.x\n" and the 4-byte length

    [Fact]
    public void AnEnvelopePastTheBound_IsRefusedWithoutBeingBuiltWhole_AndTheThreadKeepsNoLargeBuffer()
    {
        // 1 MB of MessagePack whose JSON is 6 MB: each U+0001 is written as \u0001.
        var suffix = Suffix(new string('\u0001', 1_000_000));
        using var batch = new PooledBufferWriter(1024);

        string? reason = null;
        var allocated = LeastAllocated.Of(() => reason = TextEvtWriter.TryWrite(batch, suffix));

        Assert.Equal($"its JSON envelope passes {TextFrameReader.MaxBodyBytes} bytes, the most a Python client accepts", reason);
        Assert.Equal(0, batch.WrittenCount);
        Assert.InRange(TextEvtWriter.RetainedBytes, 0, TextEvtWriter.OrdinaryBytes);

        // Neither the 6 MB of JSON nor a 2 MB UTF-16 copy of the string was made.
        Assert.InRange(allocated, 0, 64 * 1024);
    }

    [Fact]
    public void AnEnvelopeOfExactlyTheBound_IsTranslatedWhole_AndOneByteMoreIsNot()
    {
        // The envelope's size less its string's, measured on a small one: the string then fills it to the byte.
        using var batch = new PooledBufferWriter(1024);
        Assert.Null(TextEvtWriter.TryWrite(batch, Suffix("a")));
        var fill = TextFrameReader.MaxBodyBytes - (batch.WrittenCount - _header - 1);
        batch.Reset();

        Assert.Null(TextEvtWriter.TryWrite(batch, Suffix(new string('a', fill))));
        Assert.Equal(_header + TextFrameReader.MaxBodyBytes, batch.WrittenCount);
        using (var envelope = JsonDocument.Parse(batch.WrittenMemory[_header..]))
        {
            Assert.Equal(fill, envelope.RootElement.GetProperty("payload").GetProperty("s").GetString()!.Length);
        }

        Assert.InRange(TextEvtWriter.RetainedBytes, 0, TextEvtWriter.OrdinaryBytes);

        batch.Reset();
        Assert.NotNull(TextEvtWriter.TryWrite(batch, Suffix(new string('a', fill + 1))));
        Assert.Equal(0, batch.WrittenCount);
    }

    [Fact]
    public void AMapKeyLongerThanTheKeyBound_IsRefused_WithoutBeingEscapedWhole()
    {
        // Utf8JsonWriter escapes a property name whole (six bytes per control character) before any bound sees it.
        using var batch = new PooledBufferWriter(1024);
        Assert.Null(TextEvtWriter.TryWrite(batch, Suffix("a")));
        var suffix = Suffix("v", key: new string('\u0001', 1_000_000));

        // One run, not the least of three: a rental from the shared pool is only seen the first time.
        var before = GC.GetAllocatedBytesForCurrentThread();
        var reason = TextEvtWriter.TryWrite(batch, suffix);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal($"a map key is 1000000 bytes; at most {MessagePackToJson.MaxKeyBytes} are translated", reason);
        Assert.InRange(allocated, 0, 64 * 1024); // 8,390,112 before: an 8 MB escape buffer
    }

    [Fact]
    public void AStringThatIsNotUtf8_PastTheBound_IsRefused_WithoutBeingDecodedOrEscapedWhole()
    {
        var bytes = new byte[1_000_000];
        bytes.AsSpan().Fill(1);
        bytes[^1] = 0xFF;
        var suffix = Suffix(utf8: bytes);
        using var batch = new PooledBufferWriter(1024);

        // The least of three runs: a UTF-16 copy of the string is made every time, pooled buffers only the first.
        string? reason = null;
        var allocated = LeastAllocated.Of(() => reason = TextEvtWriter.TryWrite(batch, suffix));

        Assert.Equal($"its JSON envelope passes {TextFrameReader.MaxBodyBytes} bytes, the most a Python client accepts", reason);
        Assert.InRange(allocated, 0, 64 * 1024); // 18,778,848 before: a UTF-16 copy, then its escape
    }

    [Fact]
    public void AStringThatIsNotUtf8_IsTranslatedWithReplacementCharacters_AcrossSegments()
    {
        // Invalid bytes on both sides of a 4,096-byte segment edge, and a valid 3-byte character across it.
        var bytes = Enumerable.Repeat((byte)'a', 10_000).ToArray();
        bytes[0] = 0xFF;
        "€"u8.CopyTo(bytes.AsSpan(4095));
        bytes[8191] = 0xC3; // a lead byte with no continuation
        using var batch = new PooledBufferWriter(1024);

        Assert.Null(TextEvtWriter.TryWrite(batch, Suffix(utf8: bytes)));

        using var envelope = JsonDocument.Parse(batch.WrittenMemory[_header..]);
        var expected = System.Text.Encoding.UTF8.GetString(bytes); // U+FFFD for each invalid sequence
        Assert.Equal(expected, envelope.RootElement.GetProperty("payload").GetProperty("s").GetString());
    }

    /// <summary>The EVT suffix every subscriber shares: topic <c>t.x</c>, publisher, type, id, ts, <c>{key: s or utf8}</c>.</summary>
    private static ReadOnlyMemory<byte> Suffix(string? s = null, string key = "s", byte[]? utf8 = null)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.Write("t.x");
        writer.WriteArrayHeader(3);
        writer.Write(1);
        writer.Write(2);
        writer.Write(3);
        writer.Write("t");
        writer.Write(new string('a', 32));
        writer.Write(1.5);
        writer.WriteMapHeader(1);
        writer.Write(key);
        if (utf8 is null)
        {
            writer.Write(s);
        }
        else
        {
            // A str whose bytes are given as they are, valid UTF-8 or not.
            writer.WriteString(utf8);
        }

        writer.Flush();
        return buffer.WrittenMemory;
    }
}
