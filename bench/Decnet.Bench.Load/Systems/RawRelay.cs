using System.Buffers.Binary;
using System.Net.Sockets;

namespace Decnet.Bench.Load.Systems;

/// <summary>
/// System 4, the ceiling: the smallest useful C# UNIX-socket relay. Whole runs of complete length-prefixed frames
/// read from a publisher are written as-is to every subscriber: no MessagePack, no topics, no matching, no queues
/// (a stalled subscriber would stall it, so it cannot express W6).
/// </summary>
internal sealed class RawRelay
{
    private readonly object _gate = new();
    private Socket[] _subscribers = [];

    public static async Task RunAsync(string path, CancellationToken cancellationToken)
    {
        File.Delete(path);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(4096);
        var relay = new RawRelay();
        try
        {
            while (true)
            {
                var socket = await listener.AcceptAsync(cancellationToken);
                _ = Task.Run(() => relay.ServeAsync(socket), CancellationToken.None);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            File.Delete(path);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        var buffer = new byte[256 * 1024];
        try
        {
            if (await socket.ReceiveAsync(buffer.AsMemory(0, 1)) != 1)
            {
                return;
            }

            if (buffer[0] == (byte)'S')
            {
                lock (_gate)
                {
                    _subscribers = [.. _subscribers, socket];
                }

                await socket.SendAsync(buffer.AsMemory(0, 1));
                while (await socket.ReceiveAsync(buffer) > 0)
                {
                }

                return;
            }

            var filled = 0;
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer.AsMemory(filled));
                if (read == 0)
                {
                    return;
                }

                filled += read;
                var complete = CompleteFrames(buffer.AsSpan(0, filled));
                if (complete > 0)
                {
                    foreach (var subscriber in Volatile.Read(ref _subscribers))
                    {
                        await SendAllAsync(subscriber, buffer.AsMemory(0, complete));
                    }

                    buffer.AsSpan(complete, filled - complete).CopyTo(buffer);
                    filled -= complete;
                }
            }
        }
        catch (SocketException)
        {
        }
        finally
        {
            lock (_gate)
            {
                _subscribers = Array.FindAll(_subscribers, s => s != socket);
            }

            socket.Dispose();
        }
    }

    private static int CompleteFrames(ReadOnlySpan<byte> data)
    {
        var offset = 0;
        while (data.Length - offset >= 4)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(data[offset..]);
            if (data.Length - offset - 4 < length)
            {
                break;
            }

            offset += 4 + length;
        }

        return offset;
    }

    private static async Task SendAllAsync(Socket socket, ReadOnlyMemory<byte> data)
    {
        try
        {
            while (!data.IsEmpty)
            {
                data = data[await socket.SendAsync(data)..];
            }
        }
        catch (SocketException)
        {
            // A subscriber that went away is dropped from the list by its own reader.
        }
    }
}
