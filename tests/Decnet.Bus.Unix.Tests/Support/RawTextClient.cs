using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace Decnet.Bus.Unix.Tests.Support;

/// <summary>
/// A hand-driven text-protocol (Python bus) connection, for frames the standard-library client would not send: an
/// empty body, bytes that are not UTF-8 (docs/text-protocol.md).
/// </summary>
internal sealed class RawTextClient : IDisposable
{
    private RawTextClient(Socket socket) => Socket = socket;

    public Socket Socket { get; }

    public static async Task<RawTextClient> ConnectAsync(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path));
        return new RawTextClient(socket);
    }

    /// <summary>One frame: <paramref name="header"/> (ASCII, no LF), the 4-byte big-endian length, the body as is.</summary>
    public static byte[] Frame(string header, ReadOnlySpan<byte> body)
    {
        var frame = new byte[header.Length + 1 + 4 + body.Length];
        var at = Encoding.ASCII.GetBytes(header, frame);
        frame[at++] = (byte)'\n';
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(at), body.Length);
        body.CopyTo(frame.AsSpan(at + 4));
        return frame;
    }

    public async Task SendAsync(string header, ReadOnlyMemory<byte> body = default)
        => await Socket.SendAsync(Frame(header, body.Span), SocketFlags.None);

    public async Task SendAsync(byte[] bytes) => await Socket.SendAsync(bytes, SocketFlags.None);

    /// <summary>End of stream, or a reset (the broker closed with bytes of ours unread): either way no reply came.</summary>
    public async Task AssertClosedWithoutReplyAsync()
    {
        using var timeout = new CancellationTokenSource(TestBroker.Bound);
        try
        {
            Assert.Equal(0, await Socket.ReceiveAsync(new byte[64], SocketFlags.None, timeout.Token));
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
        {
        }
    }

    public void Dispose() => Socket.Dispose();
}
