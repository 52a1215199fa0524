using System.Text;
using Decnet.Bus.Codec;
using Decnet.Bus.Unix.Broker.Internal;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;
using Decnet.Testing;

namespace Decnet.Bus.Unix.Tests.Broker;

/// <summary>
/// A PUB whose topic or tail straddles receive segments is joined into one buffer and routed by the same span code as
/// a contiguous one: the same route, the same refusals, the same fatal errors, wherever the kernel split the stream.
/// </summary>
public sealed class SplitPublishTests : IAsyncLifetime
{
    private TestBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await TestBroker.StartAsync();

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Theory]
    [InlineData(1, 100)]
    [InlineData(3, 5)]
    [InlineData(100, 7)]
    public async Task SplitPub_IsRoutedAsTheContiguousOneIs(int topicChunk, int tailChunk)
    {
        await using var raw = await RawClient.ConnectAsync(_broker.SocketPath);
        await raw.SendAsync(b => FrameWriter.WriteSub(b, 1, "split.>"));
        Assert.Equal(FrameKind.SubAck, (await raw.ReadFrameAsync()).Kind);
        var (topic, tail) = Parts("split.topic.here", BusCodec.SerializePayload(new Dictionary<string, int> { ["n"] = 7 }));

        var hub = _broker.Server.Hub!;
        var batch = new ReadBatch(hub, null);
        Assert.Null(hub.Publish(batch, null, hub.Credentials, Segments.Split(topic, topicChunk), Segments.Split(tail, tailChunk)));
        batch.Complete(drained: true);

        var evt = await raw.ReadFrameAsync();
        Assert.Equal(FrameKind.Evt, evt.Kind);
        Assert.True(EvtSpanDecoder.TryScan(evt.Body, [], null, out var fields));
        Assert.Equal("split.topic.here", Encoding.UTF8.GetString(fields.TopicUtf8));
        Assert.Equal(7.0, fields.Timestamp);
        Assert.Equal(tail.AsSpan(tail.Length - fields.Payload.Length).ToArray(), fields.Payload.ToArray());
    }

    [Fact]
    public void SplitTopicOverTheLimit_IsRefusedWithItsRealLength()
    {
        var hub = _broker.Server.Hub!;
        var (topic, tail) = Parts(new string('t', hub.Limits.MaxTopicBytes + 10), BusCodec.EmptyMap.ToArray());

        var refused = hub.Publish(new ReadBatch(hub, null), null, hub.Credentials, Segments.Split(topic, 7), Segments.Split(tail, 3));

        Assert.Equal(BusErrorCode.InvalidTopic, refused?.Code);
        Assert.Equal($"topic of {hub.Limits.MaxTopicBytes + 10} bytes; the limit is {hub.Limits.MaxTopicBytes}", refused?.Message);
    }

    [Fact]
    public void SplitInvalidTopic_IsRefusedBeforeItsTailIsChecked_AndASplitMalformedTailIsFatal()
    {
        var hub = _broker.Server.Hub!;
        byte[] malformed = [0xa1, (byte)'t', 0xc0]; // type "t", then nil where the id must be

        var refused = hub.Publish(new ReadBatch(hub, null), null, hub.Credentials, Segments.Split("a..b"u8.ToArray(), 2), Segments.Split(malformed, 1));
        var fatal = Assert.Throws<ProtocolException>(() => hub.Publish(new ReadBatch(hub, null), null, hub.Credentials, Segments.Split("a.b"u8.ToArray(), 2), Segments.Split(malformed, 1)));

        Assert.Equal(BusErrorCode.InvalidTopic, refused?.Code);
        Assert.Equal(BusErrorCode.BadFrame, fatal.Code);
        Assert.Equal("PUB id is not a string", fatal.Message);
    }

    /// <summary>A canonical PUB's topic bytes and tail (type, id, ts 7, payload).</summary>
    private static (byte[] Topic, byte[] Tail) Parts(string topic, byte[] payload)
    {
        var frame = FrameBytes.Of(b => FrameWriter.WritePubRaw(b, topic, "t", RawFrames.EventId, 7, payload));
        Assert.True(FrameReader.TryReadCanonicalPub(frame, 1 << 22, out _, out var topicBytes, out var tail));
        Assert.Equal(topic, Encoding.UTF8.GetString(topicBytes));
        return (topicBytes.ToArray(), tail.ToArray());
    }
}
