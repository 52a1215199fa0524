using MessagePack;

namespace Decnet.Bus.Unix.Protocol;

/// <summary>
/// Skips one MessagePack value without recursion and with a nesting limit. <see cref="MessagePackReader.Skip"/>
/// recurses once per nesting level, so a 1 MiB frame of nested one-element arrays would overflow the broker's stack
/// (a crash no handler can catch); this walk keeps its own counters and rejects anything deeper than the limit.
/// </summary>
internal static class BoundedSkip
{
    /// <summary>Skips the next value. Strings, binaries and extensions are skipped without being read.</summary>
    /// <exception cref="ProtocolException">The value nests deeper than <paramref name="maxDepth"/>.</exception>
    /// <exception cref="EndOfStreamException">The value is truncated.</exception>
    public static void Skip(ref MessagePackReader reader, int maxDepth)
    {
        // remaining[d] = values still to skip at depth d; depth 0 is the value itself.
        Span<long> remaining = stackalloc long[maxDepth + 1];
        var depth = 0;
        remaining[0] = 1;
        while (depth >= 0)
        {
            if (remaining[depth] == 0)
            {
                depth--;
                continue;
            }

            remaining[depth]--;
            long children = reader.NextMessagePackType switch
            {
                MessagePackType.Array => reader.ReadArrayHeader(),
                MessagePackType.Map => 2L * reader.ReadMapHeader(),
                _ => SkipScalar(ref reader),
            };

            if (children == 0)
            {
                continue;
            }

            if (depth == maxDepth)
            {
                throw new ProtocolException(BusErrorCode.BadFrame, $"value nests deeper than {maxDepth} levels");
            }

            remaining[++depth] = children;
        }
    }

    private static long SkipScalar(ref MessagePackReader reader)
    {
        reader.Skip();
        return 0;
    }
}
