using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Net.Sockets;
using Decnet.Bus.Unix.Hardening.Tests.Support;
using Decnet.Bus.Unix.Protocol;
using Xunit.Abstractions;

namespace Decnet.Bus.Unix.Hardening.Tests.Load;

public sealed class AccountingTests(ITestOutputHelper output)
{
    private static readonly string[] _topics = ["acct.a.x", "acct.a.y", "acct.b.x", "acct.b.y", "acct.c.z"];
    private static readonly string[] _patterns = ["acct.>", "acct.a.>", "acct.*.x", "acct.b.*", "acct.c.z", "acct.*.y", ">", "acct.a.x"];

    /// <summary>
    /// Many publishers and subscribers with overlapping wildcards, small broker queues so some events are dropped: for
    /// every subscription, events received + events the broker dropped for it == matching events published; and the
    /// broker's own count of events queued for it equals the same number.
    /// </summary>
    [Fact]
    public async Task EverySubscription_ReceivedPlusDropped_EqualsMatchingPublished()
    {
        var publishers = FuzzInputs.Iterations("DECNET_LOAD_PUBLISHERS", 50);
        var subscribers = FuzzInputs.Iterations("DECNET_LOAD_SUBSCRIBERS", 50);
        var perPublisher = FuzzInputs.Iterations("DECNET_LOAD_EVENTS", 400);
        await using var broker = await LiveBroker.StartAsync(o =>
        {
            o.MaxConnections = 4096;
            o.IdleTimeout = TimeSpan.Zero;
        });

        var subs = new List<(RawPeer Peer, string Name, string Pattern, Task<long> Received)>();
        for (var i = 0; i < subscribers; i++)
        {
            var name = $"sub-{i}";
            var pattern = _patterns[i % _patterns.Length];

            // Queues of 16 to 256 events: the small ones overflow under the burst, the large ones mostly do not.
            var peer = await RawPeer.ConnectAsync(broker.SocketPath, queueSize: 16 << (i % 5), name: name);
            await peer.SendAsync(FrameBytes.Of(b => FrameWriter.WriteSub(b, 1, pattern)));
            Assert.Equal(FrameKind.SubAck, (await peer.ReadFrameAsync()).Kind);
            subs.Add((peer, name, pattern, CountEventsUntilCloseAsync(peer.Socket)));
        }

        var published = new Dictionary<string, long>(StringComparer.Ordinal);
        var senders = new List<Task>();
        for (var p = 0; p < publishers; p++)
        {
            var topic = _topics[p % _topics.Length];
            published[topic] = published.GetValueOrDefault(topic) + perPublisher;
            senders.Add(PublishAllThenPingAsync(broker.SocketPath, $"pub-{p}", topic, perPublisher));
        }

        // Each publisher's PONG: the broker has routed all its PUBs, so no queue receives anything after this.
        await Task.WhenAll(senders).WaitAsync(TimeSpan.FromSeconds(60));
        var rows = broker.Server.GetStats().Connections.ToDictionary(r => r.Name, StringComparer.Ordinal);

        // Graceful stop flushes every queued event, then BYE and close: each reader's count is final at EOF.
        await broker.Server.StopAsync(CancellationToken.None);
        long totalMatching = 0, totalReceived = 0, totalDropped = 0;
        var table = new List<string>();
        foreach (var (peer, name, pattern, receivedTask) in subs)
        {
            var received = await receivedTask.WaitAsync(TimeSpan.FromSeconds(30));
            var matching = published.Where(t => Topics.Matches(pattern, t.Key)).Sum(t => t.Value);
            var row = rows[name];
            totalMatching += matching;
            totalReceived += received;
            totalDropped += row.Dropped;
            table.Add($"  {name,-8} {pattern,-10} matching {matching,9}  received {received,9}  dropped {row.Dropped,9}  broker-queued {row.Delivered,9}");
            Assert.True(received + row.Dropped == matching, $"{name} '{pattern}': received {received} + dropped {row.Dropped} != matching published {matching}");
            Assert.Equal(matching, row.Delivered);
            await peer.DisposeAsync();
        }

        output.WriteLine($"{publishers} publishers x {perPublisher} events, {subscribers} subscribers: matching {totalMatching} = received {totalReceived} + dropped {totalDropped}");
        foreach (var line in table)
        {
            output.WriteLine(line);
        }
        Assert.True(totalDropped > 0, "the small queues never overflowed; the test did not exercise drops");
        Assert.True(totalReceived > 0);
    }

    private static async Task PublishAllThenPingAsync(string path, string name, string topic, int count)
    {
        await using var peer = await RawPeer.ConnectAsync(path, name: name);
        using var batch = new PooledBufferWriter();
        for (var i = 0; i < count; i++)
        {
            FrameWriter.WritePubRaw(batch, topic, "t", i.ToString("x32", CultureInfo.InvariantCulture), 1.0, [0x80]);
        }

        FrameWriter.WriteSimple(batch, FrameKind.Ping);
        await peer.SendAsync(batch.WrittenSpan.ToArray());
        Assert.Equal(FrameKind.Pong, (await peer.ReadFrameAsync()).Kind);
    }

    /// <summary>Counts EVT frames until the broker closes the connection, without copying the stream.</summary>
    private static async Task<long> CountEventsUntilCloseAsync(Socket socket)
    {
        await Task.Yield();
        var reader = PipeReader.Create(new NetworkStream(socket, ownsSocket: false));
        long events = 0;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await reader.ReadAsync();
            }
            catch (IOException)
            {
                break;
            }

            var buffer = result.Buffer;
            while (FrameReader.TryParse(ref buffer, 1 << 22, out var frame))
            {
                events += frame.Kind == FrameKind.Evt ? 1 : 0;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }

        await reader.CompleteAsync();
        return events;
    }
}
