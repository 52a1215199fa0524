using System.Buffers;
using Decnet.Bus.Unix.Hardening.Tests.Support;
using Decnet.Bus.Unix.Native;
using Decnet.Bus.Unix.Protocol;
using Decnet.Testing;

namespace Decnet.Bus.Unix.Hardening.Tests.Permissions;

public sealed class TopicAclTests : IDisposable
{
    private static readonly int _uid = (int)Libc.GetUid();
    private readonly string _file = Path.GetTempFileName();

    public void Dispose() => File.Delete(_file);

    [Fact]
    public async Task PublishOnAReservedTopic_ByAnotherUid_GetsErr12NamingThePub_AndTheConnectionStays()
    {
        await using var broker = await StartWithRulesAsync($"publish secret.> uid:{_uid + 1}");
        await using var peer = await RawPeer.ConnectAsync(broker.SocketPath);

        await peer.SendAsync(Pub("open.news"));
        await peer.SendAsync(Pub("secret.plans"));
        await peer.SendAsync(FrameBytes.Of(b => FrameWriter.WriteSimple(b, FrameKind.Ping)));

        var (kind, body) = await peer.ReadFrameAsync();
        Assert.Equal(FrameKind.Err, kind);
        var error = FrameDecoder.ReadErr(new ReadOnlySequence<byte>(body));
        Assert.Equal((BusErrorCode.PermissionDenied, FrameKind.Pub, 0u), (error.Code, error.Request, error.Sid));
        Assert.Equal(FrameKind.Pong, (await peer.ReadFrameAsync()).Kind);
        Assert.Equal(1, broker.Rejections("permission_denied"));
        Assert.Equal(1, broker.Server.GetStats().Published);
    }

    [Fact]
    public async Task TenThousandDeniedPublishes_FromAPeerThatReadsNothing_NeverEndTheConnectionWithErr9()
    {
        await using var broker = await StartWithRulesAsync($"publish secret.> uid:{_uid + 1}");
        await using var peer = await RawPeer.ConnectAsync(broker.SocketPath);
        var pubs = Enumerable.Range(0, 10_000).SelectMany(_ => Pub("secret.plans")).ToArray();

        // Nothing is read while the refusals pile up: their ERRs stop at half the control lane instead of reaching
        // the ERR 9 bound, and every refusal is still counted by the broker.
        await peer.SendAsync(pubs);
        await peer.SendAsync(FrameBytes.Of(b => FrameWriter.WriteSimple(b, FrameKind.Ping)));

        var errs = 0;
        while (true)
        {
            var (kind, body) = await peer.ReadFrameAsync();
            if (kind == FrameKind.Pong)
            {
                break;
            }

            Assert.Equal(FrameKind.Err, kind);
            Assert.Equal(BusErrorCode.PermissionDenied, FrameDecoder.ReadErr(new ReadOnlySequence<byte>(body)).Code);
            errs++;
        }

        Assert.InRange(errs, 1, 10_000);
        Assert.Equal(10_000, broker.Rejections("permission_denied"));
        Assert.Equal(0, broker.Rejections("slow_consumer"));
    }

    [Fact]
    public async Task TenThousandDeniedPublishes_LeaveTheClientConnected_AndAreCountedOnBothSides()
    {
        await using var broker = await StartWithRulesAsync($"publish secret.> uid:{_uid + 1}");
        var client = broker.CreateClient("denied");
        await using var open = await client.SubscribeAsync("open.>");
        using var bound = new CancellationTokenSource(LiveBroker.Bound);
        await client.WaitForGenerationAsync(1, bound.Token);
        var generation = client.Generation;

        for (var i = 0; i < 10_000; i++)
        {
            await client.PublishAsync("secret.plans", new { i });
        }

        // STATS travels behind the publishes, and the ERRs come back in order before its reply.
        await client.GetBrokerStatsAsync();
        await client.PublishAsync("open.news", new { });
        await using var events = open.GetAsyncEnumerator(bound.Token);
        Assert.True(await events.MoveNextAsync());
        Assert.Equal("open.news", events.Current.Topic);

        // The broker counts every refusal. It answers each one unless refusals already fill half its control lane for
        // this client (a loaded machine writes them slower than they come): the client counts the answers it gets.
        Assert.Equal(10_000, broker.Rejections("permission_denied"));
        Assert.InRange(client.PublishesRejected, 1, 10_000);
        Assert.Equal(client.PublishesRejected, client.Counters.Dropped);
        Assert.Equal(generation, client.Generation);
        Assert.Equal(0, open.Reconnected);
        Assert.True(client.IsConnected);
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

    [Theory]
    [InlineData(",")]
    [InlineData(",,")]
    public void ARuleWithNoPrincipals_IsAFormatErrorNamingTheLine_NotAnOpenRule(string principals)
    {
        // Read as an empty allow-list it would admit every peer, and any matching rule grants: `publish > ,` would
        // reopen every topic the other rules reserve.
        var error = Assert.Throws<FormatException>(
            () => Broker.Internal.TopicAcl.Parse("bus.acl", ["publish secret.> uid:0", $"publish > {principals}"]));

        Assert.Equal("bus.acl:2: no principals; list uid:N or gid:N, separated by commas", error.Message);
    }

    [Fact]
    public void TheShippedExample_Parses()
    {
        var example = Path.Combine(RepositoryRoot.Find(), "deploy", "bus-acl.example");
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
}
