using System.IO.Pipelines;
using System.Net.Sockets;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Broker.WarmUp;

/// <summary>
/// The warm-up's client end of a socket pair: writes frames as a client would and counts what comes back, read
/// through a <see cref="PipeReader"/> as the broker's own receive loop reads its sockets.
/// </summary>
internal sealed class WarmUpClient(Socket socket, int maxFrame) : IDisposable
{
    private readonly PooledBufferWriter _out = new(64 * 1024);
    private readonly PipeReader _reader = PipeReader.Create(new NetworkStream(socket, ownsSocket: false));

    /// <summary>Writes what <paramref name="write"/> encodes, all of it.</summary>
    public async Task SendAsync(Action<PooledBufferWriter> write, CancellationToken cancellation)
    {
        _out.Reset();
        write(_out);
        var bytes = _out.WrittenMemory;
        while (!bytes.IsEmpty)
        {
            bytes = bytes[await socket.SendAsync(bytes, SocketFlags.None, cancellation).ConfigureAwait(false)..];
        }
    }

    /// <summary>
    /// Reads frames until <paramref name="count"/> of <paramref name="kind"/> have arrived; others are skipped.
    /// </summary>
    /// <exception cref="InvalidOperationException">The broker answered ERR: the warm-up broke a rule.</exception>
    /// <exception cref="EndOfStreamException">The broker closed the connection first.</exception>
    public async Task<int> ReadAsync(FrameKind kind, int count, CancellationToken cancellation)
    {
        var seen = 0;
        while (seen < count)
        {
            var result = await _reader.ReadAsync(cancellation).ConfigureAwait(false);
            var buffer = result.Buffer;
            while (FrameReader.TryParse(ref buffer, maxFrame, out var frame))
            {
                if (frame.Kind == FrameKind.Err)
                {
                    throw new InvalidOperationException($"the warm-up's broker answered ERR {FrameDecoder.ReadErr(frame.Body).Code}");
                }

                seen += frame.Kind == kind ? 1 : 0;
            }

            _reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted && seen < count)
            {
                throw new EndOfStreamException("the warm-up's broker closed the connection");
            }
        }

        return seen;
    }

    /// <summary>Closes the client end: the broker's side reads EOF and ends as it does for a client that left.</summary>
    public void Dispose()
    {
        _reader.Complete();
        socket.Dispose();
        _out.Dispose();
    }
}
