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

    private static string? TryWriteTail(string body, PooledBufferWriter tail)
    {
        tail.Reset();
        return TextPublish.TryWriteTail(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(body)), 1.5, tail);
    }
}
