using Decnet.Bus.Unix.Hardening.Tests.Support;
using Decnet.Bus.Unix.Native;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Hardening.Tests.Permissions;

public sealed class AllowListTests
{
    private static readonly int _uid = (int)Libc.GetUid();
    private static readonly int _gid = (int)Libc.GetGid();

    [Fact]
    public async Task UidNotOnTheAllowList_GetsErr12AndClose_BeforeAnyHandshake()
    {
        await using var broker = await LiveBroker.StartAsync(o => o.AllowUids.Add(_uid + 1));
        await using var peer = await RawPeer.ConnectAsync(broker.SocketPath, hello: false);

        await peer.ExpectErrorAndCloseAsync(BusErrorCode.PermissionDenied);
        Assert.Equal(1, broker.Rejections("permission_denied"));
        Assert.Empty(broker.Server.GetStats().Connections);
    }

    [Fact]
    public async Task GidNotOnTheAllowList_GetsErr12()
    {
        await using var broker = await LiveBroker.StartAsync(o => o.AllowGids.Add(_gid + 1));
        await using var peer = await RawPeer.ConnectAsync(broker.SocketPath, hello: false);

        await peer.ExpectErrorAndCloseAsync(BusErrorCode.PermissionDenied);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task UidOrGidOnTheAllowList_Works(bool byUid)
    {
        await using var broker = await LiveBroker.StartAsync(o =>
        {
            // The other list names someone else: one match is enough.
            (byUid ? o.AllowUids : o.AllowGids).Add(byUid ? _uid : _gid);
            (byUid ? o.AllowGids : o.AllowUids).Add(byUid ? _gid + 1 : _uid + 1);
        });
        var bus = broker.CreateClient("allowed");
        await using var subscription = await bus.SubscribeAsync("allowed.>");
        await bus.PublishAsync("allowed.ping", new { ok = true }, cancellationToken: CancellationToken.None);

        using var bound = new CancellationTokenSource(LiveBroker.Bound);
        await using var events = subscription.GetAsyncEnumerator(bound.Token);
        Assert.True(await events.MoveNextAsync());
        Assert.Equal(_uid, events.Current.Publisher!.Value.Uid);
        Assert.Equal(0, broker.Rejections("permission_denied"));
    }
}
