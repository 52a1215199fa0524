using System.Net.Sockets;

namespace Decnet.Bus.Unix.Tests.Support;

/// <summary>Two connected UNIX stream sockets in a private directory, for testing a writer against a real socket.</summary>
internal sealed class SocketPair : IDisposable
{
    private readonly TempSocketDir _dir;

    private SocketPair(TempSocketDir dir, Socket local, Socket peer)
    {
        _dir = dir;
        Local = local;
        Peer = peer;
    }

    /// <summary>The side under test.</summary>
    public Socket Local { get; }

    /// <summary>The other end, which the test reads.</summary>
    public Socket Peer { get; }

    /// <summary>Connects a pair; <paramref name="sendBuffer"/>, when given, shrinks the local side's send buffer so a test can fill it.</summary>
    public static async Task<SocketPair> ConnectAsync(int? sendBuffer = null)
    {
        var dir = new TempSocketDir();
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(dir.SocketPath));
        listener.Listen(1);
        var local = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        if (sendBuffer is { } size)
        {
            local.SendBufferSize = size;
        }

        var accepted = listener.AcceptAsync();
        await local.ConnectAsync(new UnixDomainSocketEndPoint(dir.SocketPath));
        var peer = await accepted;
        if (sendBuffer is { } peerSize)
        {
            peer.ReceiveBufferSize = peerSize;
        }

        return new SocketPair(dir, local, peer);
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
        _dir.Dispose();
    }
}
