using System.IO.Pipelines;
using System.Net.Sockets;
using Decnet.Bus.Unix.Native;
using Decnet.Bus.Unix.Protocol;
using Microsoft.Extensions.Logging;

namespace Decnet.Bus.Unix.Client.Internal;

/// <summary>Connecting: the socket, the broker's identity check, HELLO and WELCOME.</summary>
internal sealed partial class ClientConnection
{
    /// <summary>
    /// Connects, sends HELLO and waits for WELCOME (bounded by the handshake timeout). <c>keepalive</c> is the idle
    /// time before a PING (zero disables keepalive); <c>catchUpWait</c> bounds how long the receive loop waits for a
    /// subscription more than half full to catch up (zero disables; docs/Service-Bus.md, "Catch-up waits").
    /// <c>sendBufferBytes</c> is the kernel send buffer asked for (<c>DECNET_BUS_SEND_BUFFER_BYTES</c>; zero keeps the kernel's).
    /// <c>onRejected</c> hears of every request the broker refuses while keeping the connection (an ERR naming a PUB
    /// or SUB, docs/wire-protocol.md §6).
    /// </summary>
    /// <exception cref="SocketException">Nobody listens on the path.</exception>
    /// <exception cref="BrokerRefusedException">The broker answered with ERR.</exception>
    /// <exception cref="UntrustedBrokerException">The process on the socket runs as a uid not trusted as the broker.</exception>
    /// <exception cref="ProtocolException">The broker answered with something other than WELCOME.</exception>
    /// <exception cref="TimeoutException">No WELCOME in time.</exception>
    public static async Task<ClientConnection> ConnectAsync(
        string path,
        HelloMessage hello,
        ClientOutbox outbox,
        Func<uint, ClientSubscription?> findSubscription,
        Action<ErrorMessage> onRejected,
        ILogger logger,
        TimeSpan keepalive,
        TimeSpan catchUpWait,
        int sendBufferBytes,
        TimeProvider time,
        BrokerIdentity identity,
        CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        SendBuffer.Apply(socket, sendBufferBytes);
        PipeReader? reader = null;
        using var handshake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        handshake.CancelAfter(ProtocolConstants.HandshakeTimeout);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), handshake.Token).ConfigureAwait(false);

            // Before HELLO: an impostor learns nothing, not even this client's name.
            identity.Verify(socket);
            using (var buffer = new PooledBufferWriter(128))
            {
                FrameWriter.WriteHello(buffer, hello);
                await socket.SendAsync(buffer.WrittenMemory, SocketFlags.None, handshake.Token).ConfigureAwait(false);
            }

            var stream = new ReceiveStream(socket);
            reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 4096, leaveOpen: true));
            while (true)
            {
                var result = await reader.ReadAsync(handshake.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                if (FrameReader.TryParse(ref buffer, ProtocolConstants.MinMaxFrame * 16, out var frame))
                {
                    try
                    {
                        switch (frame.Kind)
                        {
                            case FrameKind.Welcome:
                                var welcome = FrameDecoder.ReadWelcome(frame.Body);
                                var connection = new ClientConnection(socket, stream, reader, welcome, outbox, findSubscription, onRejected, logger, path, keepalive, catchUpWait, time);
                                return connection;
                            case FrameKind.Err:
                                var error = FrameDecoder.ReadErr(frame.Body);
                                throw new BrokerRefusedException(error.Code, UntrustedText.Escape(error.Message));
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
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await Cleanup().ConfigureAwait(false);
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
}
