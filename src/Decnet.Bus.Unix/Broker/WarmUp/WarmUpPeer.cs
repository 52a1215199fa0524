using Decnet.Bus.Unix.Broker.Internal;
using Decnet.Bus.Unix.Native;
using Decnet.Bus.Unix.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace Decnet.Bus.Unix.Broker.WarmUp;

/// <summary>
/// One client of the warm-up's hub: a socket pair whose broker end runs as a <see cref="BrokerConnection"/> of that
/// hub, and whose other end is a <see cref="WarmUpClient"/>, handshake done. Disposing it ends the connection as a
/// client that leaves does.
/// </summary>
internal sealed class WarmUpPeer : IAsyncDisposable
{
    private readonly Task _run;

    private WarmUpPeer(WarmUpClient client, Task run)
    {
        Client = client;
        _run = run;
    }

    public WarmUpClient Client { get; }

    /// <summary>
    /// Connects and completes the handshake. <paramref name="sendBuffer"/>, when given, is the broker end's SO_SNDBUF:
    /// a small one makes the broker's writes to this peer partial.
    /// </summary>
    /// <exception cref="InvalidOperationException">The hub refused the connection, or answered ERR.</exception>
    public static async Task<WarmUpPeer> ConnectAsync(BrokerHub hub, string name, int? sendBuffer, CancellationToken cancellation)
    {
        var (brokerEnd, clientEnd) = ConnectedPair.Create();
        WarmUpPeer? peer = null;
        try
        {
            if (sendBuffer is { } bytes)
            {
                brokerEnd.SendBufferSize = bytes;
            }

            var credentials = PeerCredentialsReader.TryRead(brokerEnd) ?? new PeerCredentials(0, -1, -1);
            var connection = new BrokerConnection(hub.NextConnectionId(), brokerEnd, credentials, hub, NullLogger.Instance, TimeProvider.System);
            if (hub.TryRegister(connection) is { } refusal)
            {
                throw new InvalidOperationException(refusal);
            }

            peer = new WarmUpPeer(new WarmUpClient(clientEnd, hub.Limits.MaxFrameBytes), connection.RunAsync(BusServer.ShutdownFlushBound));
            await peer.Client.SendAsync(b => FrameWriter.WriteHello(b, new HelloMessage(ProtocolConstants.Version, name, false, 0, 0)), cancellation).ConfigureAwait(false);
            await peer.Client.ReadAsync(FrameKind.Welcome, 1, cancellation).ConfigureAwait(false);
            return peer;
        }
        catch
        {
            if (peer is not null)
            {
                await peer.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                brokerEnd.Dispose();
                clientEnd.Dispose();
            }

            throw;
        }
    }

    /// <summary>Closes the client end, then waits (bounded) for the broker's side to read EOF and end.</summary>
    public async ValueTask DisposeAsync()
    {
        Client.Dispose();

        // Bounded and quiet: the run never faults, and a run still going past the bound ends with its closed socket.
        await _run.WaitAsync(BrokerWarmUp.Bound).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
