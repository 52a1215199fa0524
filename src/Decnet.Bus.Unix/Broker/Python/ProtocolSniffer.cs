using System.Net.Sockets;

namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>
/// Tells the two wire protocols apart by the first byte of a connection, peeked (MSG_PEEK) so the byte stays for the
/// protocol's own reader (docs/text-protocol.md): <c>0x00</c> starts this protocol's length prefix (no frame reaches
/// 16 MiB); an ASCII capital letter starts a Python verb. One peek per connection: nothing per frame.
/// </summary>
internal static class ProtocolSniffer
{
    /// <summary>The peer closed before sending a byte.</summary>
    public const int Closed = -1;

    /// <summary>No byte arrived within the timeout.</summary>
    public const int TimedOut = -2;

    /// <summary>Whether <paramref name="first"/> starts a text-protocol (Python) connection.</summary>
    public static bool IsText(int first) => first is >= 'A' and <= 'Z';

    /// <summary>Waits for the first byte without consuming it; returns it, <see cref="Closed"/> or <see cref="TimedOut"/>.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="SocketException">The socket failed.</exception>
    public static async Task<int> PeekFirstByteAsync(Socket socket, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        using var deadline = timeout == Timeout.InfiniteTimeSpan ? new CancellationTokenSource() : new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var first = new byte[1];
        try
        {
            var received = await socket.ReceiveAsync(first, SocketFlags.Peek, linked.Token).ConfigureAwait(false);
            return received == 0 ? Closed : first[0];
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return TimedOut;
        }
    }

    /// <summary>
    /// Reads and discards what the peer already sent (at most one receive buffer, 64 KiB, as a protocol's reader would
    /// have read), so closing an unknown-protocol connection is an end of stream for the peer, not a reset.
    /// </summary>
    public static void DiscardBuffered(Socket socket)
    {
        Span<byte> scratch = stackalloc byte[4096];
        try
        {
            for (var total = 0; total < 64 * 1024 && socket.Available > 0;)
            {
                var read = socket.Receive(scratch[..Math.Min(scratch.Length, socket.Available)], SocketFlags.None);
                if (read <= 0)
                {
                    return;
                }

                total += read;
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Gone already: nothing to discard.
        }
    }
}
