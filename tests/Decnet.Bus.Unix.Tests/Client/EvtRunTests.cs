using System.Buffers.Binary;
using Decnet.Bus.Codec;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// The client queues runs of EVTs straight from its receive buffer and everything else frame by frame: a burst of
/// events of every size, which the broker writes in large batches so frames straddle reads and buffer segments, reaches
/// a handler and an enumerable subscription whole and in order.
/// </summary>
public sealed class EvtRunTests
{
    [Fact]
    public async Task Burst_OfEverySize_ReachesHandlerAndEnumerable_WholeAndInOrder()
    {
        const int Count = 3000;
        await using var broker = await TestBroker.StartAsync();
        var subscriber = broker.CreateClient("runs", queueSize: 2 * Count);
        var handled = new List<(string Topic, int Pad)>();
        var allHandled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var all = await subscriber.SubscribeAsync("run.>", (delivery, _) =>
        {
            handled.Add((delivery.Topic, Pad(delivery.Payload.Span)));
            if (handled.Count == Count)
            {
                allHandled.SetResult();
            }

            return ValueTask.CompletedTask;
        });
        await using var thirds = await subscriber.SubscribeAsync("run.third.*");

        var burst = new List<byte>();
        for (var i = 0; i < Count; i++)
        {
            var topic = i % 3 == 0 ? $"run.third.{i}" : $"run.{i}";
            var payload = BusCodec.SerializePayload(new Dictionary<string, string> { ["pad"] = new('p', i * 7 % 2000) });
            burst.AddRange(FrameBytes.Of(b => FrameWriter.WritePubRaw(b, topic, "t", RawFrames.EventId, i, payload)));
        }

        await using var publisher = await RawClient.ConnectAsync(broker.SocketPath);
        await publisher.SendAsync(burst.ToArray());
        await publisher.PingAsync();
        await subscriber.FlushAsync().WaitAsync(TestBroker.Bound);

        var expected = Enumerable.Range(0, Count).Select(static i => (Topic: i % 3 == 0 ? $"run.third.{i}" : $"run.{i}", Pad: i * 7 % 2000)).ToList();
        await allHandled.Task.WaitAsync(TestBroker.Bound);
        Assert.Equal(expected, handled);
        var enumerated = (await Receive.TakeAsync(thirds, (Count + 2) / 3)).Select(static e => (e.Topic, Pad(e.Payload.Span)));

        Assert.Equal(expected.Where(static e => e.Topic.StartsWith("run.third.", StringComparison.Ordinal)), enumerated);
        Assert.Equal(0, subscriber.Counters.Dropped);
    }

    /// <summary>The length of the payload's "pad" string: {"pad": str8/str16}.</summary>
    private static int Pad(ReadOnlySpan<byte> payload) => payload[5] switch
    {
        0xd9 => payload[6],
        0xda => BinaryPrimitives.ReadUInt16BigEndian(payload[6..]),
        var head => head - 0xa0,
    };
}
