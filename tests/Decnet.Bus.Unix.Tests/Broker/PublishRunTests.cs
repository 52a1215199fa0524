using System.Text;
using Decnet.Bus.Codec;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Broker;

/// <summary>
/// The broker routes runs of canonical PUBs straight from its receive buffer and everything else frame by frame: a
/// stream that mixes them, cut at arbitrary points so frames straddle reads and buffer segments, routes exactly as
/// sent.
/// </summary>
public sealed class PublishRunTests
{
    [Fact]
    public async Task MixedStream_CutAnywhere_EveryPublishRoutedInOrder_TheRefusalAndRepliesAnswered()
    {
        const int Count = 2000;
        await using var broker = await TestBroker.StartAsync();
        await using var raw = await RawClient.ConnectAsync(broker.SocketPath, queueSize: 4 * Count);
        await raw.SendAsync(b => FrameWriter.WriteSub(b, 1, "run.>"));
        Assert.Equal(FrameKind.SubAck, (await raw.ReadFrameAsync()).Kind);

        var stream = new List<byte>();
        for (var i = 0; i < Count; i++)
        {
            if (i == Count / 2)
            {
                stream.AddRange(FrameBytes.Of(b => FrameWriter.WritePubRaw(b, "run..empty.token", "", RawFrames.EventId, 1, BusCodec.EmptyMap.Span)));
            }

            if (i == Count * 3 / 4)
            {
                stream.AddRange(FrameBytes.Of(b => FrameWriter.WriteSub(b, 2, "other.>")));
            }

            var payload = BusCodec.SerializePayload(new Dictionary<string, string> { ["pad"] = new('p', i % 301) });
            stream.AddRange(FrameBytes.Of(b => FrameWriter.WritePubRaw(b, $"run.{i}", "t", RawFrames.EventId, i, payload)));
        }

        stream.AddRange(FrameBytes.Of(b => FrameWriter.WriteSimple(b, FrameKind.Ping)));
        var bytes = stream.ToArray();
        var reading = ReadUntilPongAsync(raw);
        var random = new Random(14);
        for (var at = 0; at < bytes.Length;)
        {
            var piece = Math.Min(bytes.Length - at, random.Next(1, 5000));
            await raw.SendAsync(bytes[at..(at + piece)]);
            at += piece;
        }

        var frames = await reading;
        var topics = frames.Where(static f => f.Kind == FrameKind.Evt).Select(static f => Topic(f.Body)).ToList();
        Assert.Equal(Enumerable.Range(0, Count).Select(static i => $"run.{i}"), topics);
        var refusal = Assert.Single(frames, static f => f.Kind == FrameKind.Err);
        Assert.Equal(BusErrorCode.InvalidTopic, FrameDecoder.ReadErr(new(refusal.Body)).Code);
        // [5, 2]: the SUB in the middle of the run was answered (control frames may go ahead of queued EVTs).
        Assert.Equal([0x92, 0x05, 0x02], Assert.Single(frames, static f => f.Kind == FrameKind.SubAck).Body);
        Assert.Equal(FrameKind.Pong, frames[^1].Kind);
    }

    private static async Task<List<(FrameKind Kind, byte[] Body)>> ReadUntilPongAsync(RawClient raw)
    {
        var frames = new List<(FrameKind Kind, byte[] Body)>();
        do
        {
            frames.Add(await raw.ReadFrameAsync());
        }
        while (frames[^1].Kind != FrameKind.Pong);

        return frames;
    }

    private static string Topic(byte[] evtBody)
    {
        Assert.True(EvtSpanDecoder.TryScan(evtBody, [], null, out var fields));
        return Encoding.UTF8.GetString(fields.TopicUtf8);
    }
}
