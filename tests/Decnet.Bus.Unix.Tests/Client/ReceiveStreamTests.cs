using System.Net.Sockets;
using Decnet.Bus.Unix.Client.Internal;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// The read side of a client's socket (docs/performance-history-2.md, part 8; docs/performance-history-4.md, part 23):
/// a receive that waits in the kernel on the calling thread (the handshake's, then the connection's receive thread),
/// woken by data, by the peer's close, or by the connection's abort shutting the receive side down.
/// </summary>
public sealed class ReceiveStreamTests : IAsyncLifetime
{
    private SocketPair _pair = null!;
    private ReceiveStream _stream = null!;

    public async Task InitializeAsync()
    {
        _pair = await SocketPair.ConnectAsync();
        _stream = new ReceiveStream(_pair.Local);
    }

    public Task DisposeAsync()
    {
        _stream.Dispose();
        _pair.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task AReadOnItsOwnThread_WaitsForThePeer_AndReturnsWhatItSent()
    {
        var buffer = new byte[16];
        var read = ReadOnOwnThread(buffer);
        Assert.False(read.IsCompleted); // nothing was sent: it cannot have returned

        await _pair.Peer.SendAsync(new byte[] { 4, 5 });

        Assert.Equal(2, await read.WaitAsync(TestBroker.Bound));
        Assert.Equal([4, 5], buffer[..2]);
    }

    [Fact]
    public async Task WithBytesWaiting_TheReadReturnsThem()
    {
        await _pair.Peer.SendAsync(new byte[] { 6 });
        var buffer = new byte[16];

        Assert.Equal(1, await ReadOnOwnThread(buffer).WaitAsync(TestBroker.Bound));
        Assert.Equal(6, buffer[0]);
    }

    [Fact]
    public async Task TheReadReturnsZero_WhenThePeerCloses()
    {
        var read = ReadOnOwnThread(new byte[16]);

        _pair.Peer.Shutdown(SocketShutdown.Send);

        Assert.Equal(0, await read.WaitAsync(TestBroker.Bound));
    }

    [Fact]
    public async Task AnAbortThatShutsTheReceiveSideDown_WakesTheRead_WhichReportsTheCancellation()
    {
        using var abort = new CancellationTokenSource();
        var read = ReadOnOwnThread(new byte[16], abort.Token);

        // What ClientConnection does on abort: cancel, and shut the receive side down to wake the thread.
        await abort.CancelAsync();
        _pair.Local.Shutdown(SocketShutdown.Receive);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read.WaitAsync(TestBroker.Bound));
    }

    /// <summary>Reads once on a thread of its own, as a connection's receive thread does.</summary>
    private Task<int> ReadOnOwnThread(byte[] buffer, CancellationToken cancellationToken = default)
        => OwnThread.Start("test-recv", () => _stream.ReadAsync(buffer, cancellationToken).GetAwaiter().GetResult());
}
