using System.Net.Sockets;
using Decnet.Bus.Unix.Native;

namespace Decnet.Bus.Unix.Client.Internal;

/// <summary>
/// The read side of a client's socket for its <see cref="System.IO.Pipelines.PipeReader"/>: a receive that waits in the
/// kernel on the calling thread (the handshake's thread, then the connection's receive thread), so a read costs no
/// thread-pool hand-off (docs/performance-history-2.md, part 8), and the socket is never handed to the runtime's event
/// thread, as an asynchronous receive would hand it (docs/performance-history-4.md, part 23).
/// </summary>
internal sealed class ReceiveStream(Socket socket) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Waits on the calling thread and returns a completed task.</summary>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // Woken by the data, by the peer's close, or by the connection's abort or the handshake's cancellation (each shuts
        // the socket down).
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
