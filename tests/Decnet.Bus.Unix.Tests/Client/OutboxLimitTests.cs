using Decnet.Bus.Unix.Client.Internal;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// <see cref="ClientOutbox.ApplyLimits"/> drops the queued PUBs over the broker's limits and keeps everything else, in
/// order, with its accounting: flush PINGs and ordered STATS frames stay, as do the chunks' counts the drop-oldest
/// bound and the send loop rely on.
/// </summary>
public sealed class OutboxLimitTests
{
    private const int _maxFrame = 4096;
    private const int _maxTopic = 8;

    [Fact]
    public void ApplyLimits_DropsThePubsOverEitherLimit_KeepsTheRestAndTheControlFramesInOrder()
    {
        var outbox = new ClientOutbox(1 << 20, 1 << 16);
        byte[] stats = FrameBytes.Of(static b => FrameWriter.WriteSimple(b, FrameKind.Stats));
        outbox.EnqueueData(Pub("a.1", 10));
        outbox.EnqueueData(Pub("a.2", ClientOutbox.ChunkSize)); // over max_frame, in a chunk of its own
        var flushed = outbox.FlushAsync();
        outbox.EnqueueData(Pub("a.long-topic", 10)); // over max_topic
        outbox.EnqueueOrdered(stats);
        outbox.EnqueueData(Pub("a.3", 10));

        var (dropped, first) = outbox.ApplyLimits(_maxFrame, _maxTopic);

        Assert.Equal(2, dropped);
        Assert.Equal("a.2", first);
        using var batch = new PooledBufferWriter();
        var sent = new List<byte>();
        var frames = 0;
        while (true)
        {
            batch.Reset();
            outbox.Take(batch, 1 << 20, out var taken);
            if (taken == 0)
            {
                break;
            }

            frames += taken;
            sent.AddRange(batch.WrittenSpan.ToArray());
        }

        Assert.Equal(4, frames);
        Assert.Equal([.. Pub("a.1", 10), .. ClientOutbox.PingFrame, .. stats, .. Pub("a.3", 10)], sent);
        Assert.False(flushed.IsCompleted);
        Assert.Equal(0, outbox.DropData());
    }

    [Fact]
    public void APubCheckedBeforeTheWelcome_QueuedAfterTheLimitsApplied_IsDropped_OneChecked_AgainstThemIsQueued()
    {
        var outbox = new ClientOutbox(1 << 20, 1 << 16);
        outbox.ApplyLimits(_maxFrame, _maxTopic);

        Assert.Equal(1, outbox.EnqueueData(Pub("a.2", ClientOutbox.ChunkSize), pace: false, out _, ownLimits: true, out var overLimit));
        Assert.True(overLimit);
        Assert.Equal(0, outbox.EnqueueData(Pub("a.3", 10), pace: false, out _, ownLimits: true, out overLimit));
        Assert.False(overLimit);
        Assert.Equal(1, outbox.DropData());
    }

    /// <summary>A PUB on <paramref name="topic"/> whose payload holds <paramref name="size"/> bytes of text.</summary>
    private static byte[] Pub(string topic, int size)
        => FrameBytes.Of(b => FrameWriter.WritePub(b, topic, "t", "id", 1.5, new { s = new string('x', size) }));
}
