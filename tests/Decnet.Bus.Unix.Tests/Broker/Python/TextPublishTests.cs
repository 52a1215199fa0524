using System.Buffers;
using System.Text;
using Decnet.Bus.Unix.Broker.Internal;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Tests.Broker.Python;

/// <summary>A Python PUB body turned into this bus's PUB tail (docs/text-protocol.md §2 and §3).</summary>
public sealed class TextPublishTests
{
    [Fact]
    public void ABodyWithTheDeepestPayloadTheMessagePackBrokerAccepts_IsPublished()
    {
        // Arrays at payload levels 1 to 64, the innermost empty: what docs/wire-protocol.md §6 lets through.
        using var tail = new PooledBufferWriter();

        Assert.Null(TryWriteTail("{\"payload\":{\"a\":" + new string('[', 64) + new string(']', 64) + "}}", tail));
        PublishTailValidator.Validate(tail.WrittenSpan);
        Assert.NotNull(TryWriteTail("{\"payload\":{\"a\":" + new string('[', 64) + "1" + new string(']', 64) + "}}", tail));
    }

    [Fact]
    public void DeepNestingOutsideThePayload_IsIgnoredWithTheField_AndInThePayloadIsRefused()
    {
        // Of the body only payload and type are read (docs/text-protocol.md §3); a repeated payload keeps its last value.
        var deep = new string('[', 100) + new string(']', 100);
        using var tail = new PooledBufferWriter();

        Assert.Null(TryWriteTail($$$"""{"v":{{{deep}}},"payload":{"ok":1},"type":"t","extra":{"a":{{{deep}}}}}""", tail));
        PublishTailValidator.Validate(tail.WrittenSpan);
        Assert.Null(TryWriteTail($$$"""{"payload":{"a":{{{deep}}}},"payload":{"ok":1}}""", tail));
        Assert.Equal("the payload nests deeper than 64 levels", TryWriteTail($$$"""{"payload":{"a":{{{deep}}}}}""", tail));
        Assert.Equal("the payload nests deeper than 64 levels", TryWriteTail($$$"""{"payload":{"ok":1},"payload":{"a":{{{deep}}}}}""", tail));
    }

    [Fact]
    public void ABodyIsCheckedToBeUtf8Whole_EvenWhereTheBrokerIgnoresIt_AndACharacterMayStraddleSegments()
    {
        using var tail = new PooledBufferWriter();
        var valid = Encoding.UTF8.GetBytes("""{"type":"é","payload":{"s":"中🚀"}}""");
        byte[] invalid = [.. "{\"extra\":\""u8, 0xED, 0xA0, 0x80, .. "\",\"payload\":{}}"u8]; // a surrogate in UTF-8

        foreach (var chunk in new[] { valid.Length, 1, 2, 3 })
        {
            tail.Reset();
            Assert.Null(TextPublish.TryWriteTail(Segments.Split(valid, chunk), 1.5, tail));
            var error = Assert.Throws<ProtocolException>(() => TextPublish.TryWriteTail(Segments.Split(invalid, chunk), 1.5, tail));
            Assert.Equal((BusErrorCode.BadFrame, "body is not UTF-8"), (error.Code, error.Message));
        }
    }

    [Fact]
    public void ALoneSurrogateKeyInAnIgnoredField_DoesNotDropThePublish_AndOneInTheTypeStillDoes()
    {
        // Fields other than payload and type are only checked to be JSON (docs/text-protocol.md §3).
        using var tail = new PooledBufferWriter();

        Assert.Null(TryWriteTail("""{"\ud800":1,"payload":{"a":1}}""", tail));
        PublishTailValidator.Validate(tail.WrittenSpan);
        Assert.Null(TryWriteTail("""{"payload":{"a":1},"\udfff":"x","type":"t"}""", tail));
        PublishTailValidator.Validate(tail.WrittenSpan);
        Assert.Equal("its type is not valid Unicode (a lone surrogate escape)", TryWriteTail("""{"type":"\ud800","payload":{}}""", tail));

        // Names are compared as JSON text: an escaped letter still names the field, in either hex case.
        Assert.Equal("its type is a JSON number, not a string", TryWriteTail("""{"\u0074ype":5}""", tail));
        Assert.StartsWith("its payload is a JSON array", TryWriteTail("""{"p\u0061yLoad":{},"p\u0061ylo\u0061d":[1]}""", tail), StringComparison.Ordinal);
        Assert.StartsWith("its payload is a JSON array", TryWriteTail("""{"p\u0061ylo\u0061D":{},"\u0070\u0041yload":{},"payl\u006Fad":[1]}""", tail), StringComparison.Ordinal);
    }

    private static string? TryWriteTail(string body, PooledBufferWriter tail)
    {
        tail.Reset();
        return TextPublish.TryWriteTail(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(body)), 1.5, tail);
    }
}
