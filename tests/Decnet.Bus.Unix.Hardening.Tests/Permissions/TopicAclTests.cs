using System.Buffers;
using Decnet.Bus.Unix.Hardening.Tests.Support;
using Decnet.Bus.Unix.Native;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Hardening.Tests.Permissions;

public sealed class TopicAclTests : IDisposable
{
    private static readonly int _uid = (int)Libc.GetUid();
    private readonly string _file = Path.GetTempFileName();

    public void Dispose() => File.Delete(_file);

    [Fact]
    public async Task PublishOnAReservedTopic_ByAnotherUid_GetsErr12_WhileOpenTopicsWork()
    {
        await using var broker = await StartWithRulesAsync($"publish secret.> uid:{_uid + 1}");
        await using var peer = await RawPeer.ConnectAsync(broker.SocketPath);

        await peer.SendAsync(Pub("open.news"));
        await peer.SendAsync(FrameBytes.Of(b => FrameWriter.WriteSimple(b, FrameKind.Ping)));
        Assert.Equal(FrameKind.Pong, (await peer.ReadFrameAsync()).Kind);
        await peer.SendAsync(Pub("secret.plans"));

        await peer.ExpectErrorAndCloseAsync(BusErrorCode.PermissionDenied);
        Assert.Equal(1, broker.Rejections("permission_denied"));
        Assert.Equal(1, broker.Server.GetStats().Published);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ReceivingAReservedTopic_IsFilteredAtDelivery_EvenThroughAWildcard(bool allowed)
    {
        await using var broker = await StartWithRulesAsync($"subscribe secret.> uid:{(allowed ? _uid : _uid + 1)}");
        await using var subscriber = await RawPeer.ConnectAsync(broker.SocketPath);
        await subscriber.SendAsync(FrameBytes.Of(b => FrameWriter.WriteSub(b, 1, ">")));
        Assert.Equal(FrameKind.SubAck, (await subscriber.ReadFrameAsync()).Kind);

        await using var publisher = await RawPeer.ConnectAsync(broker.SocketPath);
        await publisher.SendAsync([.. Pub("secret.plans"), .. Pub("open.news")]);

        var topics = new List<string>();
        var sids = new List<uint>();
        while (topics.Count < (allowed ? 2 : 1))
        {
            var (kind, body) = await subscriber.ReadFrameAsync();
            Assert.Equal(FrameKind.Evt, kind);
            topics.Add(FrameDecoder.ReadEvent(new ReadOnlySequence<byte>(body), sids).Topic);
        }

        Assert.Equal(allowed ? ["secret.plans", "open.news"] : ["open.news"], topics);
    }

    [Fact]
    public async Task MalformedAclFile_StopsTheStart_NamingTheLine()
    {
        await File.WriteAllTextAsync(_file, "# rules\npublish secret.> uid:0\nsubscribe bad..pattern uid:0\n");
        var directory = Directory.CreateTempSubdirectory("dnh").FullName;
        try
        {
            var options = LiveBroker.NewOptions(Path.Combine(directory, "bus.sock"));
            options.AclFile = _file;
            await using var server = new BusServer(Microsoft.Extensions.Options.Options.Create(options));

            var error = await Assert.ThrowsAsync<BusStartupException>(() => server.StartAsync(CancellationToken.None));
            Assert.Contains($"{_file}:3", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void TheShippedExample_Parses()
    {
        var example = Path.Combine(RepoRoot(), "deploy", "bus-acl.example");
        var acl = Broker.Internal.TopicAcl.Parse(example, File.ReadLines(example));
        Assert.True(acl.RestrictsReceiving);
        Assert.True(acl.MayPublish(new PeerCredentials(1, 0, 0), "system.mutator.control"));
        Assert.False(acl.MayPublish(new PeerCredentials(1, 1000, 1000), "system.mutator.control"));
        Assert.True(acl.MayPublish(new PeerCredentials(1, 1000, 1000), "system.mutator.health"));
    }

    private async Task<LiveBroker> StartWithRulesAsync(string rules)
    {
        await File.WriteAllTextAsync(_file, rules + "\n");
        return await LiveBroker.StartAsync(o => o.AclFile = _file);
    }

    private static byte[] Pub(string topic)
        => FrameBytes.Of(b => FrameWriter.WritePubRaw(b, topic, "t", "0123456789abcdef0123456789abcdef", 1.0, [0x80]));

    private static string RepoRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Decnet.Core.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new DirectoryNotFoundException("Decnet.Core.sln not found above the test binaries");
    }
}
