using System.Buffers;
using System.Net.Sockets;
using System.Threading.Channels;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// A raw socket server that completes the handshake on every connection, then reads and records what the client
/// sends; it answers PING with PONG only when told to, and never answers SUB. Lets a test play a hung broker, or (with
/// <c>closeAfterWelcome</c>) one that closes every connection right after its handshake.
/// </summary>
internal sealed class SilentBroker : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _accepted = [];
    private readonly Lock _gate = new();
    private readonly bool _answerPings;
    private readonly bool _closeAfterWelcome;
    private readonly int _pingsToSignal;
    private readonly Task _accepting;
    private int _connections;

    public SilentBroker(string path, bool answerPings, int pingsToSignal = 1, bool closeAfterWelcome = false)
    {
        _answerPings = answerPings;
        _closeAfterWelcome = closeAfterWelcome;
        _pingsToSignal = pingsToSignal;
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        _listener.Listen();
        _accepting = AcceptLoopAsync();
    }

    /// <summary>Completes with the connection number (1-based) on which <c>pingsToSignal</c> PINGs arrived.</summary>
    public TaskCompletionSource<int> PingsReceived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Every frame received after HELLO: its kind and sid (0 for kinds without one).</summary>
    public Channel<(FrameKind Kind, uint Sid)> Received { get; } = Channel.CreateUnbounded<(FrameKind Kind, uint Sid)>();

    /// <summary>The next received frame of <paramref name="kind"/>, skipping others (bounded by <see cref="TestBroker.Bound"/>).</summary>
    public async Task<(FrameKind Kind, uint Sid)> NextAsync(FrameKind kind)
    {
        using var timeout = new CancellationTokenSource(TestBroker.Bound);
        while (true)
        {
            var frame = await Received.Reader.ReadAsync(timeout.Token);
            if (frame.Kind == kind)
            {
                return frame;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        lock (_gate)
        {
            foreach (var socket in _accepted)
            {
                socket.Dispose();
            }
        }

        await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        var serving = new List<Task>();
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptAsync(_stop.Token);
                lock (_gate)
                {
                    _accepted.Add(socket);
                }

                serving.Add(ServeAsync(socket, Interlocked.Increment(ref _connections)));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        await Task.WhenAll(serving).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task ServeAsync(Socket socket, int number)
    {
        var pending = new ArrayBufferWriter<byte>();
        var chunk = new byte[4096];
        var pings = 0;
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(chunk, SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    return;
                }

                pending.Write(chunk.AsSpan(0, read));
                var sequence = new ReadOnlySequence<byte>(pending.WrittenMemory);
                while (FrameReader.TryParse(ref sequence, 1 << 20, out var frame))
                {
                    if (frame.Kind != FrameKind.Hello)
                    {
                        Received.Writer.TryWrite((frame.Kind, frame.Sid));
                    }

                    switch (frame.Kind)
                    {
                        case FrameKind.Hello:
                            await socket.SendAsync(FrameBytes.Of(b => FrameWriter.WriteWelcome(b, new WelcomeMessage(1, 1, 1 << 20, 256, 1024, 1024))), SocketFlags.None);
                            if (_closeAfterWelcome)
                            {
                                socket.Shutdown(SocketShutdown.Both);
                                return;
                            }

                            break;
                        case FrameKind.Ping:
                            if (++pings == _pingsToSignal)
                            {
                                PingsReceived.TrySetResult(number);
                            }

                            if (_answerPings)
                            {
                                await socket.SendAsync(FrameBytes.Of(b => FrameWriter.WriteSimple(b, FrameKind.Pong)), SocketFlags.None);
                            }

                            break;
                    }
                }

                var rest = sequence.ToArray();
                pending.ResetWrittenCount();
                pending.Write(rest);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }
}
