using System.Buffers;
using System.Net.Sockets;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Broker.WarmUp;

/// <summary>
/// The warm-up's client end of a socket pair: writes frames as a client would and counts what comes back.
/// </summary>
internal sealed class WarmUpClient(Socket socket, int maxFrame) : IDisposable
{
    private readonly PooledBufferWriter _out = new(64 * 1024);
    private byte[] _in = new byte[64 * 1024];
    private int _start;
    private int _end;

    /// <summary>Writes what <paramref name="write"/> encodes, in one send.</summary>
    public async Task SendAsync(Action<PooledBufferWriter> write, CancellationToken cancellation)
    {
        _out.Reset();
        write(_out);
        var bytes = _out.WrittenSpan.ToArray();
        var sent = 0;
        while (sent < bytes.Length)
        {
            sent += await socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None, cancellation).ConfigureAwait(false);
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
            seen += ParseBuffered(kind);
            if (seen >= count)
            {
                break;
            }

            MakeRoom();
            var read = await socket.ReceiveAsync(_in.AsMemory(_end), SocketFlags.None, cancellation).ConfigureAwait(false);
            if (read == 0)
            {
                throw new EndOfStreamException("the warm-up's broker closed the connection");
            }

            _end += read;
        }

        return seen;
    }

    /// <summary>
    /// Closes the client end: the broker's side reads EOF and ends as it does for a client that left.
    /// </summary>
    public void Dispose()
    {
        socket.Dispose();
        _out.Dispose();
    }

    private int ParseBuffered(FrameKind kind)
    {
        var seen = 0;
        var buffered = new ReadOnlySequence<byte>(_in, _start, _end - _start);
        while (FrameReader.TryParse(ref buffered, maxFrame, out var frame))
        {
            if (frame.Kind == FrameKind.Err)
            {
                throw new InvalidOperationException($"the warm-up's broker answered ERR {FrameDecoder.ReadErr(frame.Body).Code}");
            }

            seen += frame.Kind == kind ? 1 : 0;
        }

        _start = _end - (int)buffered.Length;
        return seen;
    }

    private void MakeRoom()
    {
        var pending = _end - _start;
        if (_start > 0)
        {
            _in.AsSpan(_start, pending).CopyTo(_in);
            _start = 0;
            _end = pending;
        }

        if (_end == _in.Length)
        {
            Array.Resize(ref _in, _in.Length * 2);
        }
    }
}
