using System.Buffers;
using System.Net.Sockets;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// A raw socket server that answers the first connection's HELLO with WELCOME and then never reads again: a broker that
/// hangs with its socket open, so the client's writes back up.
/// </summary>
internal sealed class StuckBroker : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private readonly Task<Socket> _serving;

    public StuckBroker(string path)
    {
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        _listener.Listen();
        _serving = ServeOneAsync();
    }

    /// <summary>Completes once WELCOME has been sent.</summary>
    public Task Welcomed => _serving;

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        await ((Task)_serving).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (_serving.IsCompletedSuccessfully)
        {
            _serving.Result.Dispose();
        }
    }

    /// <summary>Writes <paramref name="frames"/> to the client; what the client sends stays unread.</summary>
    public async Task SendAsync(byte[] frames)
    {
        var socket = await _serving;
        await socket.SendAsync(frames, SocketFlags.None);
    }

    /// <summary>
    /// Starts reading again: reads every frame until <paramref name="count"/> of <paramref name="kind"/> have arrived
    /// (bounded by <see cref="TestBroker.Bound"/>); false if the client closed first.
    /// </summary>
    public Task<bool> ReadUntilAsync(FrameKind kind, int count)
        => ReadFramesAsync((_, frame) => Task.FromResult(frame.Kind == kind && --count == 0));

    /// <summary>Starts reading again: reads PUBs until one on <paramref name="topic"/> arrives (bounded by <see cref="TestBroker.Bound"/>).</summary>
    public Task<bool> ReadUntilTopicAsync(string topic)
    {
        var wanted = System.Text.Encoding.UTF8.GetBytes(topic);
        return ReadFramesAsync((_, frame) => Task.FromResult(frame.Kind == FrameKind.Pub && frame.Topic.ToArray().AsSpan().SequenceEqual(wanted)));
    }

    /// <summary>
    /// Starts reading again: reads every frame and answers each STATS with a reply whose <see cref="BrokerStats.Published"/>
    /// is the number of PUBs read before it, until <paramref name="replies"/> STATS are answered (bounded by
    /// <see cref="TestBroker.Bound"/>); returns the PUBs read by then.
    /// </summary>
    public async Task<long> AnswerStatsAsync(int replies)
    {
        var published = 0L;
        var answered = await ReadFramesAsync(async (socket, frame) =>
        {
            if (frame.Kind == FrameKind.Pub)
            {
                published++;
                return false;
            }

            if (frame.Kind != FrameKind.Stats)
            {
                return false;
            }

            await socket.SendAsync(FrameBytes.Of(b => FrameWriter.WriteStatsReply(b, new BrokerStats(1, 1, published, 0, 0, []))), SocketFlags.None);
            return --replies == 0;
        });
        return answered ? published : throw new IOException("the client left before its STATS were answered");
    }

    /// <summary>
    /// Reads the client's frames, handing each to <paramref name="handle"/> until it returns true (then true), or until
    /// the client closes (then false); bounded by <see cref="TestBroker.Bound"/>.
    /// </summary>
    private async Task<bool> ReadFramesAsync(Func<Socket, Frame, Task<bool>> handle)
    {
        var socket = await _serving;
        var pending = new ArrayBufferWriter<byte>();
        var chunk = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(TestBroker.Bound);
        while (true)
        {
            var read = await socket.ReceiveAsync(chunk, SocketFlags.None, timeout.Token);
            if (read == 0)
            {
                return false;
            }

            pending.Write(chunk.AsSpan(0, read));
            var sequence = new ReadOnlySequence<byte>(pending.WrittenMemory);
            while (FrameReader.TryParse(ref sequence, 1 << 20, out var frame))
            {
                if (await handle(socket, frame))
                {
                    return true;
                }
            }

            var rest = sequence.ToArray();
            pending.ResetWrittenCount();
            pending.Write(rest);
        }
    }

    private async Task<Socket> ServeOneAsync()
    {
        var socket = await _listener.AcceptAsync();
        var pending = new ArrayBufferWriter<byte>();
        var chunk = new byte[1];
        while (true)
        {
            // One byte at a time, so nothing after HELLO is taken off the socket.
            if (await socket.ReceiveAsync(chunk, SocketFlags.None) == 0)
            {
                throw new IOException("client left before HELLO");
            }

            pending.Write(chunk);
            var sequence = new ReadOnlySequence<byte>(pending.WrittenMemory);
            if (FrameReader.TryParse(ref sequence, 1 << 20, out var frame) && frame.Kind == FrameKind.Hello)
            {
                await socket.SendAsync(FrameBytes.Of(b => FrameWriter.WriteWelcome(b, new WelcomeMessage(1, 1, 1 << 20, 256, 1024, 1024))), SocketFlags.None);
                return socket;
            }
        }
    }
}
