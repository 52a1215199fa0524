using Decnet.Bus.Unix.Hardening.Tests.Support;
using Decnet.Bus.Unix.Native;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Hardening.Tests.Limits;

/// <summary>
/// DECNET_BUS_MAX_CONNECTIONS_PER_UID and DECNET_BUS_MAX_HANDSHAKING: one permitted user, or a crowd of silent
/// connections, cannot take every slot (docs/Service-Bus.md, "Broker limits").
/// </summary>
public sealed class ConnectionCapTests
{
    /// <summary>An unprivileged uid (nobody) for the second peer.</summary>
    private const int _otherUid = 65534;

    [Fact]
    public async Task HandshakeCap_RefusesTheNextSilentConnection_UntilOneSaysHello()
    {
        await using var broker = await LiveBroker.StartAsync(o => o.MaxHandshakingConnections = 2);
        await using var first = await RawPeer.ConnectAsync(broker.SocketPath, hello: false);
        await using var second = await RawPeer.ConnectAsync(broker.SocketPath, hello: false);

        await using (var refused = await RawPeer.ConnectAsync(broker.SocketPath, hello: false))
        {
            await refused.ExpectErrorAndCloseAsync(BusErrorCode.TooManyConnections);
        }

        await first.SendAsync(RawPeer.Hello());
        Assert.Equal(FrameKind.Welcome, (await first.ReadFrameAsync()).Kind);
        await using var admitted = await RawPeer.ConnectAsync(broker.SocketPath); // a handshake slot is free again

        Assert.Equal(1, broker.Rejections("too_many_connections"));
        Assert.Equal(3, broker.Server.GetStats().Connections.Count);
    }

    [SecondUidFact]
    public async Task UidCap_RefusesThatUid_WhileAnotherUidStillConnects()
    {
        await using var broker = await LiveBroker.StartAsync(o => o.MaxConnectionsPerUid = 2);
        SecondUidPeer.OpenToEveryone(broker.SocketPath);
        await using var a = await RawPeer.ConnectAsync(broker.SocketPath);
        await using var b = await RawPeer.ConnectAsync(broker.SocketPath);
        await using (var refused = await RawPeer.ConnectAsync(broker.SocketPath, hello: false))
        {
            await refused.ExpectErrorAndCloseAsync(BusErrorCode.TooManyConnections);
        }

        var kind = await SecondUidPeer.HandshakeAsync(broker.SocketPath, _otherUid);

        Assert.Equal(FrameKind.Welcome, kind);
        Assert.Equal(1, broker.Rejections("too_many_connections"));
        Assert.NotEqual(_otherUid, (int)Libc.GetUid());
    }
}
