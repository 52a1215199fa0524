using Decnet.Bus.Unix.Sending;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Sending;

/// <summary><see cref="SocketWriterTests"/> with the loop on the thread pool, as a broker connection's runs.</summary>
public sealed class PoolSocketWriterTests() : SocketWriterTests(ownThread: false);

/// <summary>
/// <see cref="SocketWriterTests"/> with the loop on a thread of its own, as a client's runs (docs/performance-history-4.md,
/// part 17), and what only that loop does: it waits for room in the kernel, where only a shutdown of the socket wakes it.
/// </summary>
public sealed class OwnThreadSocketWriterTests() : SocketWriterTests(ownThread: true)
{
    [Fact]
    public async Task ASendWaitingForRoom_GoesOnWhenThePeerReads_InOrder()
    {
        await using var rig = new WriterRig(ownThread: true);
        rig.Use(await SocketPair.ConnectAsync(sendBuffer: 4096));
        rig.Start();
        var bytes = new byte[1 << 20];
        new Random(7).NextBytes(bytes);
        rig.Source.Enqueue(bytes);
        await rig.Writer.SocketFullAsync().WaitAsync(TestBroker.Bound);

        Assert.Equal(bytes, await rig.Pair.ReadAsync(bytes.Length));
        Assert.False(rig.Loop.IsCompleted);
    }

    [Fact]
    public async Task ASendWaitingForRoom_EndsTheLoopAsAborted_WhenTheSocketIsShutDown()
    {
        await using var rig = new WriterRig(ownThread: true);
        rig.Use(await SocketPair.ConnectAsync(sendBuffer: 4096));
        rig.Start();
        rig.Source.Enqueue(new byte[1 << 20]);
        await rig.Writer.SocketFullAsync().WaitAsync(TestBroker.Bound); // the peer reads nothing: the loop sleeps in poll

        await rig.Abort.CancelAsync(); // alone, this cannot wake a thread asleep in the kernel
        rig.Pair.ShutDownLocal(); // what a client's abort does as well

        Assert.Equal(SendEnd.Aborted, await rig.Loop.WaitAsync(TestBroker.Bound));
    }

    [Fact]
    public async Task EachLoopRunsOnlyOnTheWriterMadeForIt_AndAStallTimeoutIsRefused()
    {
        var source = new QueueSource();
        using var pair = await SocketPair.ConnectAsync();
        using var pooled = new SocketWriter(pair.Local, source, Timeout.InfiniteTimeSpan, TimeProvider.System, releaseWhenParked: false);
        using var owned = new SocketWriter(pair.Local, source, Timeout.InfiniteTimeSpan, TimeProvider.System, releaseWhenParked: false, ownThread: true);

        Assert.Throws<InvalidOperationException>(() => pooled.Run(CancellationToken.None));
        await Assert.ThrowsAsync<InvalidOperationException>(() => owned.RunAsync(CancellationToken.None));
        Assert.Throws<ArgumentException>(() => new SocketWriter(pair.Local, source, TimeSpan.FromSeconds(1), TimeProvider.System, releaseWhenParked: false, ownThread: true));
    }
}
