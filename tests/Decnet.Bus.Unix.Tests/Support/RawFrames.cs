using System.Buffers;
using System.Buffers.Binary;
using Decnet.Bus.Unix.Protocol;
using MessagePack;

namespace Decnet.Bus.Unix.Tests.Support;

/// <summary>Frames whose strings are given as raw UTF-8 bytes, so a test can send what no .NET string encodes (invalid UTF-8, control bytes).</summary>
internal static class RawFrames
{
    /// <summary>A valid event id (32 lowercase hex digits) for frames a test writes by hand.</summary>
    public const string EventId = "0123456789abcdef0123456789abcdef";

    public static byte[] Hello(ReadOnlySpan<byte> name) => Frame(FrameKind.Hello, 5, (ref MessagePackWriter w, byte[] n) =>
    {
        w.Write(ProtocolConstants.Version);
        w.WriteString(n);
        w.Write(true);
        w.Write(0);
        w.Write(0);
    }, name.ToArray());

    public static byte[] Pub(ReadOnlySpan<byte> topic, ReadOnlySpan<byte> type)
    {
        var split = topic.Length;
        return Frame(FrameKind.Pub, 5, (ref MessagePackWriter w, byte[] t) =>
        {
            w.WriteString(t.AsSpan(0, split));
            w.WriteString(t.AsSpan(split));
            w.Write(EventId);
            w.Write(1.5);
            w.WriteMapHeader(0);
        }, [.. topic, .. type]);
    }

    public static byte[] Sub(uint sid, ReadOnlySpan<byte> pattern) => Frame(FrameKind.Sub, 2, (ref MessagePackWriter w, byte[] p) =>
    {
        w.Write(sid);
        w.WriteString(p);
    }, pattern.ToArray());

    private delegate void Fields(ref MessagePackWriter writer, byte[] strings);

    private static byte[] Frame(FrameKind kind, int fields, Fields write, byte[] strings)
    {
        var body = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(body);
        writer.WriteArrayHeader(fields + 1);
        writer.Write((int)kind);
        write(ref writer, strings);
        writer.Flush();
        var frame = new byte[ProtocolConstants.HeaderSize + body.WrittenCount];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)body.WrittenCount);
        body.WrittenSpan.CopyTo(frame.AsSpan(ProtocolConstants.HeaderSize));
        return frame;
    }
}
