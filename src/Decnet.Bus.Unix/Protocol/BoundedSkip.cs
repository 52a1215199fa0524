using MessagePack;

namespace Decnet.Bus.Unix.Protocol;

/// <summary>
/// Skips one MessagePack value without recursion and with a nesting limit. The broker forwards payloads it never
/// decodes; subscribers decode them with the untrusted-data profile, which refuses deep graphs. Checking the depth at
/// the broker turns a payload no subscriber could read into ERR 1 for its publisher instead of a decode failure in
/// every receiver, and bounds the work one frame can cost the broker.
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
