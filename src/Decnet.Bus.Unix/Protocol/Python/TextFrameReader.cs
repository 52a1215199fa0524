using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Decnet.Bus.Unix.Protocol.Python;

/// <summary>
/// Pure parser of the frames a Python client sends the broker: an ASCII header line <c>VERB[ args]\n</c> (a CR before
/// the LF is tolerated), a 4-byte big-endian body length, then the body. Limits and failures follow the Python broker:
/// a header over 4,096 bytes (LF included), a body over 1 MiB, a non-ASCII or empty header, an unknown verb or the
/// broker's own EVT is a <see cref="ProtocolException"/>, which ends the connection. The header is checked as soon as
/// its LF arrives, so a bad one ends the connection at once rather than when (if ever) its length follows; before its
/// LF, bytes that can begin no valid header (no verb a client may send starts so, or a byte is not ASCII) are refused
/// as soon as they arrive. No exception for "need more bytes".
/// </summary>
internal static class TextFrameReader
{
    /// <summary>Largest header line, LF included.</summary>
    public const int MaxHeaderBytes = 4096;

    /// <summary>Largest body.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    private const int _lengthSize = 4;

    // The verbs a client may send, one list for telling a whole verb and the start of one.
    private static readonly (byte[] Name, TextVerb Verb)[] _verbs =
    [
        ("HELLO"u8.ToArray(), TextVerb.Hello),
        ("PUB"u8.ToArray(), TextVerb.Pub),
        ("SUB"u8.ToArray(), TextVerb.Sub),
        ("UNSUB"u8.ToArray(), TextVerb.Unsub),
        ("BYE"u8.ToArray(), TextVerb.Bye),
    ];

    // The broker's verb (docs/text-protocol.md §1): refused at the header like an unknown one, but named as what it
    // is, as the MessagePack side names a frame kind a client may not send.
    private static readonly byte[] _evt = "EVT"u8.ToArray();

    /// <summary>
    /// Parses one frame from the start of <paramref name="buffer"/> and slices it off; false when incomplete.
    /// </summary>
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

            if (!buffer.IsEmpty)
            {
                // A peer that sends a bad verb and no LF must not hold the connection until a timeout either.
                EnsureCanBeginAHeader(buffer);
            }

            return false;
        }

        if (line.Length + 1 > MaxHeaderBytes)
        {
            throw new ProtocolException(BusErrorCode.FrameTooLarge, $"header line exceeds {MaxHeaderBytes} bytes");
        }

        // Checked before the length is awaited: a peer that sends a bad header and nothing more must not hold the
        // connection until a timeout (which would also count it under the wrong reason). A complete header of an
        // incomplete frame is checked again on the next read; it is at most 4 KiB and nothing is allocated for it.
        Span<byte> scratch = stackalloc byte[MaxHeaderBytes];
        var verb = ParseHeader(line, scratch, out var args);
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

        var body = buffer.Slice(reader.Position, length);
        frame = new TextFrame(verb, Encoding.ASCII.GetString(scratch[args]), body);
        buffer = buffer.Slice(body.End);
        return true;
    }

    /// <summary>
    /// Checks the header line (without its LF) and returns its verb; <paramref name="args"/> is where the trimmed
    /// arguments are in <paramref name="scratch"/>, which receives a copy of the line.
    /// </summary>
    private static TextVerb ParseHeader(ReadOnlySequence<byte> line, Span<byte> scratch, out Range args)
    {
        var header = scratch[..(int)line.Length];
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
        var verb = ParseVerb(space < 0 ? header : header[..space]);
        args = space < 0 ? default : TrimPythonWhitespace(header, space + 1);
        return verb;
    }

    /// <summary>
    /// Throws what <see cref="ParseHeader"/> would throw for every header <paramref name="partial"/> (the start of a
    /// header line, under <see cref="MaxHeaderBytes"/>, no LF yet) could still become: a byte that is not ASCII, an
    /// unknown verb already followed by its space, or a start no verb has (a verb ends at a space, or at trailing CRs).
    /// No bound shorter than <see cref="MaxHeaderBytes"/> applies: any number of spaces may precede the arguments.
    /// </summary>
    private static void EnsureCanBeginAHeader(ReadOnlySequence<byte> partial)
    {
        if (partial.IsSingleSegment)
        {
            EnsureCanBeginAHeader(partial.FirstSpan);
            return;
        }

        Span<byte> copy = stackalloc byte[MaxHeaderBytes];
        partial.CopyTo(copy);
        EnsureCanBeginAHeader(copy[..(int)partial.Length]);
    }

    private static void EnsureCanBeginAHeader(ReadOnlySpan<byte> partial)
    {
        if (partial.IndexOfAnyExceptInRange((byte)0, (byte)0x7F) >= 0)
        {
            throw new ProtocolException(BusErrorCode.BadFrame, "header line is not ASCII");
        }

        var space = partial.IndexOf((byte)' ');
        if (space >= 0)
        {
            // The verb is complete (the header is split at its first space): an unknown one is refused as with its LF.
            ParseVerb(partial[..space]);
            return;
        }

        // Without a space, a valid header is a verb and then nothing but CRs (trimmed before the LF).
        var cr = partial.IndexOf((byte)'\r');
        if (cr >= 0)
        {
            // What precedes a CR is the whole verb: the broker's is refused as such, as with its LF.
            RefuseTheBrokersVerb(partial[..cr]);
            if (TryParseVerb(partial[..cr], out _) && partial[cr..].IndexOfAnyExcept((byte)'\r') < 0)
            {
                return;
            }
        }
        else if (BeginsAVerb(partial))
        {
            return;
        }

        // The start of EVT is told apart: it begins a verb, only not one a client may send.
        var client = _evt.AsSpan().StartsWith(partial) ? " a client may send" : string.Empty;
        throw new ProtocolException(BusErrorCode.BadFrame, $"\"{UntrustedText.Excerpt(Encoding.ASCII.GetString(partial))}\" begins no verb{client}");
    }

    private static bool BeginsAVerb(ReadOnlySpan<byte> start)
    {
        foreach (var (name, _) in _verbs)
        {
            if (name.AsSpan().StartsWith(start))
            {
                return true;
            }
        }

        return false;
    }

    private static TextVerb ParseVerb(ReadOnlySpan<byte> verb)
    {
        if (TryParseVerb(verb, out var parsed))
        {
            return parsed;
        }

        RefuseTheBrokersVerb(verb);
        throw new ProtocolException(BusErrorCode.BadFrame, $"unknown verb \"{UntrustedText.Excerpt(Encoding.ASCII.GetString(verb))}\"");
    }

    private static void RefuseTheBrokersVerb(ReadOnlySpan<byte> verb)
    {
        if (verb.SequenceEqual(_evt))
        {
            throw new ProtocolException(BusErrorCode.BadFrame, "a client may not send EVT");
        }
    }

    private static bool TryParseVerb(ReadOnlySpan<byte> verb, out TextVerb parsed)
    {
        foreach (var (name, known) in _verbs)
        {
            if (verb.SequenceEqual(name))
            {
                parsed = known;
                return true;
            }
        }

        parsed = default;
        return false;
    }

    /// <summary>
    /// The range of <paramref name="header"/> from <paramref name="start"/> without what Python's <c>str.strip()</c>
    /// removes from ASCII text: space, TAB to CR, and FS to US.
    /// </summary>
    private static Range TrimPythonWhitespace(ReadOnlySpan<byte> header, int start)
    {
        var end = header.Length;
        while (start < end && IsPythonSpace(header[start]))
        {
            start++;
        }

        while (end > start && IsPythonSpace(header[end - 1]))
        {
            end--;
        }

        return start..end;
    }

    private static bool IsPythonSpace(byte b) => b is (byte)' ' or (>= 0x09 and <= 0x0D) or (>= 0x1C and <= 0x1F);
}
