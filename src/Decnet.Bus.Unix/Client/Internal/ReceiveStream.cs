using System.Net.Sockets;
using Decnet.Bus.Unix.Native;

namespace Decnet.Bus.Unix.Client.Internal;

/// <summary>
/// The read side of a client's socket for its <see cref="System.IO.Pipelines.PipeReader"/>: asynchronous during the
/// handshake, then, once <see cref="Block"/> is called, a receive that waits in the kernel on the calling thread (the
/// connection's receive thread), so a read costs no thread-pool hand-off (docs/performance-history-2.md, part 8).
/// </summary>
internal sealed class ReceiveStream(Socket socket) : Stream
{
    private bool _blocking;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>From now on reads wait on the calling thread; call it from the thread that reads next.</summary>
    public void Block() => _blocking = true;

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!_blocking)
        {
            return socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
        }

        // Woken by the data, by the peer's close, or by the connection's abort (which shuts the receive side down).
        cancellationToken.ThrowIfCancellationRequested();
        var received = BlockingReceive.Receive(socket, buffer.Span);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(received);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer) => BlockingReceive.Receive(socket, buffer);

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
