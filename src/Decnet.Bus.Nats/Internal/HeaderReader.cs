using System.Buffers;
using NATS.Client.Core;

namespace Decnet.Bus.Nats.Internal;

/// <summary>Parses a message's raw NATS header block with the client's own parser.</summary>
internal static class HeaderReader
{
    /// <summary>The headers, or null when there are none or they are malformed (a hostile peer must not break the reader).</summary>
    public static NatsHeaders? Parse(NatsHeaderParser parser, ReadOnlySequence<byte>? raw)
    {
        if (raw is not { IsEmpty: false } bytes)
        {
            return null;
        }

        var headers = new NatsHeaders();
        try
        {
            var reader = new SequenceReader<byte>(bytes);
            return parser.ParseHeaders(reader, headers) ? headers : null;
        }
        catch (Exception ex) when (ex is NatsException or FormatException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }
}
