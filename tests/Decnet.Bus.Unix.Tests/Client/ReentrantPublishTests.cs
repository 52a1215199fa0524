using System.Diagnostics;
using Decnet.Bus.Tracing;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// A publish runs application code before its frame is complete (an activity listener's callbacks, a payload's
/// getters). When that code publishes on the same thread, each publish must still send its own event once, on its own
/// topic: the buffers a thread reuses between publishes must not be shared by two publishes at once.
/// </summary>
public sealed class ReentrantPublishTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AListenerThatPublishesWhenTheSendActivityStarts_SendsEachEventOnce(bool hierarchical)
    {
        await using var broker = await TestBroker.StartAsync();
        await using var raw = await SubscribedRawClientAsync(broker);
        var publisher = broker.CreateClient("pub");
        await publisher.FlushAsync();

        var audited = 0;
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == BusTracing.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = a =>
            {
                // An audit listener that reports sends on the bus (once, so it does not recurse).
                if (a.DisplayName == "send r.outer" && Interlocked.Exchange(ref audited, 1) == 0)
                {
                    _ = publisher.PublishAsync("r.audit", new { n = 1 });
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        var outer = new Activity("outer");
        if (hierarchical)
        {
            outer.SetIdFormat(ActivityIdFormat.Hierarchical);
        }

        using (outer.Start())
        {
            await publisher.PublishAsync("r.outer", new { n = 2 });
        }

        await publisher.PublishAsync("r.end", new { n = 3 });
        await publisher.FlushAsync();

        Assert.Equal(["r.audit", "r.outer", "r.end"], await TopicsUntilEndAsync(raw));
    }

    [Fact]
    public async Task APayloadGetterThatPublishes_LeavesTheOuterEventWhole()
    {
        await using var broker = await TestBroker.StartAsync();
        await using var raw = await SubscribedRawClientAsync(broker);
        var publisher = broker.CreateClient("pub");
        await publisher.FlushAsync();

        await publisher.PublishAsync("r.outer", new PublishingPayload { Bus = publisher });
        await publisher.PublishAsync("r.end", new { n = 3 });
        await publisher.FlushAsync();

        Assert.Equal(["r.inner", "r.outer", "r.end"], await TopicsUntilEndAsync(raw));
    }

    private static async Task<RawClient> SubscribedRawClientAsync(TestBroker broker)
    {
        var raw = await RawClient.ConnectAsync(broker.SocketPath);
        await raw.SendAsync(b => FrameWriter.WriteSub(b, 1, "r.>"));
        Assert.Equal(FrameKind.SubAck, (await raw.ReadFrameAsync()).Kind);
        return raw;
    }

    private static async Task<List<string>> TopicsUntilEndAsync(RawClient raw)
    {
        var topics = new List<string>();
        while (topics.Count == 0 || topics[^1] != "r.end")
        {
            var (kind, body) = await raw.ReadFrameAsync().WaitAsync(TestBroker.Bound);
            Assert.Equal(FrameKind.Evt, kind);
            topics.Add(FrameDecoder.ReadEvent(new(body), []).Topic);
        }

        return topics;
    }

    /// <summary>
    /// The inner event's payload: a type published nowhere else, and not one the bus writes itself (a list), so its
    /// first publish goes through the codec's check of a new type's shape, inside the outer payload's serialization.
    /// </summary>
    public sealed class InnerPayload
    {
        public List<int> Values { get; set; } = [1, 2];
    }

    /// <summary>A payload whose serialization publishes once, on the publishing thread.</summary>
    [MessagePack.MessagePackObject]
    public sealed class PublishingPayload
    {
        private int _published;

        [MessagePack.IgnoreMember]
        public UnixSocketBus? Bus { get; set; }

        [MessagePack.Key("a")]
        public int A
        {
            get
            {
                if (Interlocked.Exchange(ref _published, 1) == 0)
                {
                    _ = Bus!.PublishAsync("r.inner", new InnerPayload());
                }

                return 1;
            }
        }
    }
}
