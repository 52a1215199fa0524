using System.Net.Sockets;
using Decnet.Bus.Unix.Native;

namespace Decnet.Bus.Unix.Tests.Support;

/// <summary>
/// Two connected UNIX stream sockets (the broker's own <see cref="ConnectedPair"/>, socketpair(2)), for testing a writer
/// against a real socket.
/// </summary>
internal sealed class SocketPair : IDisposable
{
    private SocketPair(Socket local, Socket peer)
    {
        Local = local;
        Peer = peer;
    }

    /// <summary>The side under test.</summary>
    public Socket Local { get; }

    /// <summary>The other end, which the test reads.</summary>
    public Socket Peer { get; }

    /// <summary>
    /// Connects a pair; <paramref name="sendBuffer"/>, when given, shrinks the local side's send buffer (and the peer's
    /// receive buffer) so a test can fill it.
    /// </summary>
    public static Task<SocketPair> ConnectAsync(int? sendBuffer = null)
    {
        var (local, peer) = ConnectedPair.Create();
        if (sendBuffer is { } size)
        {
            local.SendBufferSize = size;
            peer.ReceiveBufferSize = size;
        }

        return Task.FromResult(new SocketPair(local, peer));
    }

    /// <summary>Reads from <see cref="Peer"/> until <paramref name="count"/> bytes or the end of the stream.</summary>
    public async Task<byte[]> ReadAsync(int count)
    {
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = await Peer.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None).AsTask().WaitAsync(TestBroker.Bound);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        return buffer[..read];
    }

    /// <summary>Shuts the local side down both ways (already closed or shut down: nothing).</summary>
    public void ShutDownLocal()
    {
        try
        {
            Local.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }

    public void Dispose()
    {
        Local.Dispose();
        Peer.Dispose();
    }
}
