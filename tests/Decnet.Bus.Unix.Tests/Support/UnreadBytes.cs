using System.Net.Sockets;

namespace Decnet.Bus.Unix.Tests.Support;

/// <summary>
/// Awaits bytes the broker has written to a socket that the test leaves unread. With <c>SO_PEEK_OFF</c> set, each
/// peek starts where the previous one ended, so a peek completes only when new bytes arrive and consumes nothing: an
/// awaited condition instead of polling <see cref="Socket.Available"/> (Linux, AF_UNIX stream sockets).
/// </summary>
internal sealed class UnreadBytes
{
    private const int _solSocket = 1;
    private const int _soPeekOff = 42;

    private readonly Socket _socket;
    private readonly byte[] _scratch = new byte[64 * 1024];

    private UnreadBytes(Socket socket) => _socket = socket;

    /// <summary>Bytes that arrived since <see cref="Watch"/>.</summary>
    public long Seen { get; private set; }

    /// <summary>Starts counting at the socket's first unread byte. Reads of the socket afterwards must not interleave with waits.</summary>
    public static UnreadBytes Watch(Socket socket)
    {
        socket.SetRawSocketOption(_solSocket, _soPeekOff, BitConverter.GetBytes(0));
        return new UnreadBytes(socket);
    }

    /// <summary>Completes once <paramref name="total"/> bytes have arrived unread; fails after <paramref name="bound"/>.</summary>
    public async Task WaitForAsync(long total, TimeSpan bound)
    {
        using var timeout = new CancellationTokenSource(bound);
        try
        {
            while (Seen < total)
            {
                var read = await _socket.ReceiveAsync(_scratch.AsMemory(0, (int)Math.Min(_scratch.Length, total - Seen)), SocketFlags.Peek, timeout.Token);
                if (read == 0)
                {
                    Assert.Fail($"the broker closed the connection after {Seen} of {total} bytes");
                }

                Seen += read;
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            Assert.Fail($"timed out after {bound.TotalSeconds} s with {Seen} of {total} bytes written");
        }
    }
}
