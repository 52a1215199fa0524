using System.IO.Pipelines;
using System.Net.Sockets;
using Decnet.Bus.Internal;
using Decnet.Bus.Unix.Native;
using Decnet.Bus.Unix.Protocol;
using Microsoft.Extensions.Logging;

namespace Decnet.Bus.Unix.Client.Internal;

/// <summary>Connecting: the socket, the broker's identity check, HELLO and WELCOME.</summary>
internal sealed partial class ClientConnection
{
    /// <summary>How long a connect waits for room in the listener's backlog before it fails.</summary>
    internal static readonly TimeSpan ConnectWaitBound = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Connects, sends HELLO and waits for WELCOME (bounded by the handshake timeout, on <c>time</c>'s clock; a listener
    /// whose backlog is full fails the connect within <see cref="ConnectWaitBound"/>). <c>keepalive</c> is the idle
    /// time before a PING (zero disables keepalive); <c>catchUpWait</c> bounds how long the receive loop waits for a
    /// subscription more than half full to catch up (zero disables; docs/Service-Bus.md, "Catch-up waits").
    /// <c>sendBufferBytes</c> is the kernel send buffer asked for (<c>DECNET_BUS_SEND_BUFFER_BYTES</c>; zero keeps the kernel's).
    /// <c>onRejected</c> hears of every request the broker refuses while keeping the connection (an ERR naming a PUB
    /// or SUB, docs/wire-protocol.md §6). <c>counters</c> counts the EVTs the connection drops as malformed.
    /// </summary>
    /// <exception cref="SocketException">Nobody listens on the path, or its backlog is full.</exception>
    /// <exception cref="IOException">The broker closed the connection or the socket failed before WELCOME, or no thread could be started for the handshake.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="BrokerRefusedException">The broker answered with ERR.</exception>
    /// <exception cref="UntrustedBrokerException">The process on the socket runs as a uid not trusted as the broker.</exception>
    /// <exception cref="ProtocolException">The broker answered with something other than WELCOME, or with limits no broker sends.</exception>
    /// <exception cref="TimeoutException">No WELCOME in time.</exception>
    public static async Task<ClientConnection> ConnectAsync(
        string path,
        HelloMessage hello,
        ClientOutbox outbox,
        Func<uint, ClientSubscription?> findSubscription,
        Action<ErrorMessage> onRejected,
        BusCounterSet counters,
        ILogger logger,
        TimeSpan keepalive,
        TimeSpan catchUpWait,
        int sendBufferBytes,
        TimeProvider time,
        BrokerIdentity identity,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var timeout = new CancellationTokenSource(ProtocolConstants.HandshakeTimeout, time);
        using var handshake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        PipeReader? reader = null;
        try
        {
            SendBuffer.Apply(socket, sendBufferBytes);
            reader = PipeReader.Create(new ReceiveStream(socket), new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 4096, leaveOpen: true));

            // The handshake waits in the kernel on a thread of its own, never in .NET's asynchronous socket calls: one
            // of those would hand the socket to the runtime's event thread for good, which would then wake, and wake a
            // pool worker, each time bytes arrive (docs/performance-history-4.md, part 23). Cancellation and the
            // timeout shut the socket down, which ends the wait for WELCOME; the connect's own wait is short
            // (ConnectWaitBound). The socket stays in blocking mode for good: every later send and receive passes
            // MSG_DONTWAIT and waits in poll(2), so a plain Socket.Send or Receive added later would block.
            WelcomeMessage welcome;
            var stop = handshake.Token.UnsafeRegister(static state => ShutDownBoth((Socket)state!), socket);
            try
            {
                welcome = await StartHandshake(socket, path, hello, identity, reader, handshake.Token).ConfigureAwait(false);
            }
            finally
            {
                // Waits for a shutdown already running: after it, a shut socket shows as a cancelled handshake.
                stop.Dispose();
            }

            handshake.Token.ThrowIfCancellationRequested();
            return new ClientConnection(socket, reader, welcome, outbox, findSubscription, onRejected, counters, logger, path, keepalive, catchUpWait, time);
        }
        catch (Exception ex) when (handshake.IsCancellationRequested && ex is not BrokerRefusedException and not UntrustedBrokerException)
        {
            // The shutdown surfaces as whatever the interrupted call reports (an end of stream, a socket error).
            await Cleanup().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException($"no WELCOME from {path} within {ProtocolConstants.HandshakeTimeout.TotalSeconds:0} s");
        }
        catch
        {
            await Cleanup().ConfigureAwait(false);
            throw;
        }

        async ValueTask Cleanup()
        {
            if (reader is not null)
            {
                await reader.CompleteAsync().ConfigureAwait(false);
            }

            socket.Dispose();
        }
    }

    /// <summary>Starts <see cref="Handshake"/> on a thread of its own; a thread that cannot be started fails the attempt as an I/O error.</summary>
    private static Task<WelcomeMessage> StartHandshake(Socket socket, string path, HelloMessage hello, BrokerIdentity identity, PipeReader reader, CancellationToken cancellationToken)
    {
        try
        {
            return OwnThread.Start("decnet-bus-conn", () => Handshake(socket, path, hello, identity, reader, cancellationToken));
        }
        catch (Exception ex) when (ex is OutOfMemoryException or ThreadStartException)
        {
            // The reconnect loop then backs off and tries again, as after any failed connect.
            throw new IOException($"no thread could be started for the handshake: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// The handshake's blocking part, on the thread <see cref="ConnectAsync"/> starts for it: connect, check the
    /// broker's identity, send HELLO, read up to WELCOME. The read is ended by the socket's shutdown.
    /// </summary>
    private static WelcomeMessage Handshake(Socket socket, string path, HelloMessage hello, BrokerIdentity identity, PipeReader reader, CancellationToken cancellationToken)
    {
        // A connect to a listener with room in its backlog completes at once; one whose backlog is full waits in the
        // kernel, where no shutdown reaches it, so SO_SNDTIMEO ends that wait soon (EAGAIN, a SocketException), as the
        // non-blocking connect used before failed at once, and the reconnect loop backs off.
        socket.SendTimeout = (int)ConnectWaitBound.TotalMilliseconds;
        socket.Connect(new UnixDomainSocketEndPoint(path));
        socket.SendTimeout = 0;
        cancellationToken.ThrowIfCancellationRequested();

        // Before HELLO: an impostor learns nothing, not even this client's name.
        identity.Verify(socket);
        using (var buffer = new PooledBufferWriter(128))
        {
            FrameWriter.WriteHello(buffer, hello);
            SendAll(socket, buffer.WrittenSpan);
        }

        while (true)
        {
            // The stream's reads wait on this thread, so the read has completed when it returns.
            var result = reader.ReadAsync(cancellationToken).AsTask().GetAwaiter().GetResult();
            var buffer = result.Buffer;
            if (FrameReader.TryParse(ref buffer, ProtocolConstants.MinMaxFrame * 16, out var frame))
            {
                try
                {
                    switch (frame.Kind)
                    {
                        case FrameKind.Welcome:
                            return CheckLimits(FrameDecoder.ReadWelcome(frame.Body));
                        case FrameKind.Err:
                            var error = FrameDecoder.ReadErr(frame.Body);
                            throw new BrokerRefusedException(error.Code, error.Message);
                        default:
                            throw new ProtocolException(BusErrorCode.BadFrame, $"expected WELCOME, got {frame.Kind}");
                    }
                }
                finally
                {
                    // Consumed up to the end of this frame and nothing examined beyond it: a frame the broker sent
                    // right after WELCOME (in the same read) is handled at once by the receive loop, rather than
                    // waiting for more bytes to arrive.
                    reader.AdvanceTo(buffer.Start);
                }
            }

            if (result.IsCompleted)
            {
                throw new IOException("the broker closed the connection during the handshake");
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>
    /// Returns <paramref name="welcome"/> if its limits are ones a broker sends (docs/wire-protocol.md, "Handshake"): the
    /// client sizes its receive limit and its checks of publishes and subscriptions by them, so whoever answers on the
    /// socket must not be able to make it buffer frames of any size, or refuse every publish.
    /// </summary>
    /// <exception cref="ProtocolException">A limit is out of range: the attempt fails, as any refused handshake does.</exception>
    private static WelcomeMessage CheckLimits(WelcomeMessage welcome)
    {
        if (welcome.MaxFrame is < ProtocolConstants.MinMaxFrame or > DecnetBusOptionsValidator.MaxFrameBytesLimit)
        {
            throw BadWelcome($"max_frame {welcome.MaxFrame}, outside {ProtocolConstants.MinMaxFrame} to {DecnetBusOptionsValidator.MaxFrameBytesLimit} bytes");
        }

        if (welcome.MaxTopic < 1)
        {
            throw BadWelcome($"max_topic {welcome.MaxTopic}, below 1");
        }

        if (welcome.MaxSubscriptions < 1)
        {
            throw BadWelcome($"max_subs {welcome.MaxSubscriptions}, below 1");
        }

        return welcome;

        static ProtocolException BadWelcome(string limit) => new(BusErrorCode.BadFrame, $"the broker's WELCOME gives {limit}");
    }

    /// <summary>
    /// What an EVT adds to its PUB besides the sids: the sid array's header (5) and the publisher triple (at most
    /// 1 + 3 x 9), rounded up.
    /// </summary>
    private const int _evtOverhead = 64;

    /// <summary>
    /// The largest frame the receive loop accepts (docs/wire-protocol.md §4.1): an EVT is the PUB it carries (at most
    /// the broker's <c>max_frame</c>) plus this connection's sid array (at most <paramref name="maxSubscriptions"/>
    /// sids of 5 bytes) and the publisher's credentials, so a small <c>max_frame</c> with many subscriptions can
    /// outgrow twice <c>max_frame</c>, the limit before. At least that, and at most twice the largest max_frame a
    /// broker may announce, so no WELCOME can make the client buffer more than it could before.
    /// </summary>
    internal static int ReceiveLimit(int maxFrame, int maxSubscriptions)
    {
        var frame = Math.Max(maxFrame, ProtocolConstants.MinMaxFrame);
        var evt = frame + _evtOverhead + (5L * Math.Max(maxSubscriptions, 0));
        return (int)Math.Min(Math.Max(2L * frame, evt), 2L * DecnetBusOptionsValidator.MaxFrameBytesLimit);
    }

    /// <summary>Sends all of <paramref name="bytes"/> with blocking sends (HELLO fits an empty socket buffer at once).</summary>
    private static void SendAll(Socket socket, ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            bytes = bytes[socket.Send(bytes)..];
        }
    }
}
