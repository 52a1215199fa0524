using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Decnet.Bus.Unix.Protocol.Python;

/// <summary>
/// Pure parser of the Python bus's frames: an ASCII header line <c>VERB[ args]\n</c> (a CR before the LF is
/// tolerated), a 4-byte big-endian body length, then the body. Limits and failures follow the Python broker: a
/// header over 4,096 bytes (LF included), a body over 1 MiB, a non-ASCII or empty header or an unknown verb is a
/// <see cref="ProtocolException"/>, which ends the connection. No exception for "need more bytes".
/// </summary>
internal static class TextFrameReader
{
    /// <summary>Largest header line, LF included.</summary>
    public const int MaxHeaderBytes = 4096;

    /// <summary>Largest body.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    private const int _lengthSize = 4;

    /// <summary>Parses one frame from the start of <paramref name="buffer"/> and slices it off; false when incomplete.</summary>
    /// <exception cref="ProtocolException">The frame is malformed or over a limit.</exception>
    public static bool TryParse(ref ReadOnlySequence<byte> buffer, out TextFrame frame)
    {
        frame = default;
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n'))
        {
            if (buffer.Length >= MaxHeaderBytes)
            {
                throw new ProtocolException(BusErrorCode.FrameTooLarge, $"header line exceeds {MaxHeaderBytes} bytes");
            }

            return false;
        }

        if (line.Length + 1 > MaxHeaderBytes)
        {
            throw new ProtocolException(BusErrorCode.FrameTooLarge, $"header line exceeds {MaxHeaderBytes} bytes");
        }

        if (!reader.TryReadBigEndian(out int signedLength))
        {
            return false;
        }

        var length = (uint)signedLength;
        if (length > MaxBodyBytes)
        {
            throw new ProtocolException(BusErrorCode.FrameTooLarge, $"body of {length} bytes exceeds {MaxBodyBytes} bytes");
        }

        if (reader.Remaining < length)
        {
            return false;
        }

        var (verb, args) = ParseHeader(line);
        var body = buffer.Slice(reader.Position, length);
        frame = new TextFrame(verb, args, body);
        buffer = buffer.Slice(body.End);
        return true;
    }

    private static (TextVerb Verb, string Args) ParseHeader(ReadOnlySequence<byte> line)
    {
        Span<byte> bytes = stackalloc byte[MaxHeaderBytes];
        var header = bytes[..(int)line.Length];
        line.CopyTo(header);
        if (header.IndexOfAnyExceptInRange((byte)0, (byte)0x7F) >= 0)
        {
            throw new ProtocolException(BusErrorCode.BadFrame, "header line is not ASCII");
        }

        // The Python broker strips every trailing CR and LF (bytes.rstrip(b"\r\n")).
        header = header.TrimEnd("\r\n"u8);
        if (header.IsEmpty)
        {
            throw new ProtocolException(BusErrorCode.BadFrame, "empty header line");
        }

        var space = header.IndexOf((byte)' ');
        var verbBytes = space < 0 ? header : header[..space];
        var verb = ParseVerb(verbBytes);
        var args = space < 0 ? ReadOnlySpan<byte>.Empty : TrimPythonWhitespace(header[(space + 1)..]);
        return (verb, Encoding.ASCII.GetString(args));
    }

    private static TextVerb ParseVerb(ReadOnlySpan<byte> verb) => verb switch
    {
        _ when verb.SequenceEqual("HELLO"u8) => TextVerb.Hello,
        _ when verb.SequenceEqual("PUB"u8) => TextVerb.Pub,
        _ when verb.SequenceEqual("SUB"u8) => TextVerb.Sub,
        _ when verb.SequenceEqual("UNSUB"u8) => TextVerb.Unsub,
        _ when verb.SequenceEqual("EVT"u8) => TextVerb.Evt,
        _ when verb.SequenceEqual("BYE"u8) => TextVerb.Bye,
        _ => throw new ProtocolException(BusErrorCode.BadFrame, $"unknown verb \"{UntrustedText.Excerpt(Encoding.ASCII.GetString(verb))}\""),
    };

    /// <summary>What Python's <c>str.strip()</c> removes from ASCII text: space, TAB to CR, and FS to US.</summary>
    private static ReadOnlySpan<byte> TrimPythonWhitespace(ReadOnlySpan<byte> value)
    {
        var start = 0;
        while (start < value.Length && IsPythonSpace(value[start]))
        {
            start++;
        }

        var end = value.Length;
        while (end > start && IsPythonSpace(value[end - 1]))
        {
            end--;
        }

        return value[start..end];
    }

    private static bool IsPythonSpace(byte b) => b is (byte)' ' or (>= 0x09 and <= 0x0D) or (>= 0x1C and <= 0x1F);
}
