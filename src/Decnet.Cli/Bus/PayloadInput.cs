using System.Buffers;
using System.Text;
using System.Text.Unicode;
using Decnet.Bus;
using Decnet.Cli.Mutation;

namespace Decnet.Cli.Bus;

/// <summary>
/// Reads the payload of <c>decnet pub TOPIC -</c> from stdin as bytes: <see cref="Console.In"/> would decode it in the
/// locale's charset (UTF-8 "é" became "Ã©" under ISO-8859-1), keep a BOM as text the JSON parser refuses, and read
/// without a bound. The payload is UTF-8 JSON whatever the locale, at most <see cref="MaxBytes"/>.
/// </summary>
internal static class PayloadInput
{
    /// <summary>
    /// The most bytes read: the largest frame any broker can be configured to accept (DECNET_BUS_MAX_FRAME_BYTES's
    /// upper bound, 64 MiB). It does not depend on the configuration, so it is enforced before connecting; a JSON
    /// text longer than that whose MessagePack still fits a frame would be mostly whitespace. The configured limit
    /// (1 MiB by default) is still enforced by the publish.
    /// </summary>
    public const int MaxBytes = DecnetBusOptionsValidator.MaxFrameBytesLimit;

    private const int _chunkBytes = 64 * 1024;

    /// <summary>
    /// Reads <paramref name="input"/> to its end, stopping as soon as it holds more than <see cref="MaxBytes"/>, and
    /// decodes it as strict UTF-8 without a leading BOM.
    /// </summary>
    /// <exception cref="CliUsageException">Too long, or not valid UTF-8 (the message gives the byte
    /// offset).</exception>
    public static async Task<string> ReadAsync(Stream input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var data = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(_chunkBytes);
        try
        {
            int read;
            while ((read = await input.ReadAsync(chunk.AsMemory(0, _chunkBytes), cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (data.Length + read > MaxBytes)
                {
                    // Stop here: the rest is never read, so an endless or huge stdin costs at most MaxBytes of memory.
                    throw new CliUsageException($"the payload on stdin is over {MaxBytes} bytes");
                }

                data.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return Decode(data.GetBuffer().AsSpan(0, (int)data.Length));
    }

    private static string Decode(ReadOnlySpan<byte> bytes)
    {
        // A BOM is how some editors and Windows tools start UTF-8; it is not part of the JSON text.
        var start = bytes.StartsWith(Encoding.UTF8.Preamble) ? Encoding.UTF8.Preamble.Length : 0;
        var text = bytes[start..];
        if (!Utf8.IsValid(text))
        {
            // Only a refused payload is transcoded to find where: a valid one (up to 64 MiB) is decoded once, below.
            throw new CliUsageException($"the payload on stdin is not valid UTF-8 (at byte offset {start + IndexOfInvalidUtf8(text)})");
        }

        return Encoding.UTF8.GetString(text);
    }

    /// <summary>The offset of the first byte that is not part of valid UTF-8, or -1 when all of it is.</summary>
    private static int IndexOfInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        Span<char> scratch = stackalloc char[1024];
        var offset = 0;
        while (true)
        {
            var status = Utf8.ToUtf16(bytes[offset..], scratch, out var read, out _, replaceInvalidSequences: false);
            offset += read;
            switch (status)
            {
                case OperationStatus.Done:
                    return -1;
                case OperationStatus.DestinationTooSmall:
                    continue;
                default:
                    return offset;
            }
        }
    }
}
