using Decnet.Bus.Unix.Sending;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Sending;

/// <summary>
/// The stall timeout of <see cref="SocketWriter"/> (docs/reliability.md, §3): a slice the peer's socket has not taken
/// within it ends the loop as stalled only when the peer read nothing of what the socket holds meanwhile. The kernel
/// wakes a UNIX socket's writer only once the peer has emptied three quarters of the send buffer, so with a large
/// buffer a slow reader that never stopped could otherwise be cut.
/// </summary>
public sealed class SocketWriterStallTests : IAsyncLifetime
{
    private static readonly TimeSpan _stall = TimeSpan.FromSeconds(30);

    private readonly TimerWatchingTimeProvider _time = new(_stall);
    private readonly WriterRig _rig = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public async Task APeerThatStopsReading_EndsTheLoopAsStalled_AfterTheStallTimeout()
    {
        await StartAsync(sendBuffer: 4096);

        _rig.Source.Enqueue(new byte[1 << 20]);
        await _time.WatchedTimerCreated.WaitAsync(TestBroker.Bound); // a slice is waiting for the peer
        Assert.False(_rig.Loop.IsCompleted);
        _time.Advance(_stall);

        Assert.Equal(SendEnd.Stalled, await _rig.Loop.WaitAsync(TestBroker.Bound));
    }

    [Fact]
    public async Task AStalledLoop_EndsTheSendItWasWaitingOn_BeforeItReturns()
    {
        // The slice that timed out was still pending on the socket, from the loop's batch buffer, which goes back to the
        // pool as the loop ends: a peer reading after the stall must get nothing more than the socket held, then the end.
        await StartAsync(sendBuffer: 4096);
        var frames = new byte[1 << 20];
        frames.AsSpan().Fill(0xAA);
        _rig.Source.Enqueue(frames);
        await _time.WatchedTimerCreated.WaitAsync(TestBroker.Bound);
        _time.Advance(_stall);
        Assert.Equal(SendEnd.Stalled, await _rig.Loop.WaitAsync(TestBroker.Bound));

        var drained = await _rig.Pair.ReadAsync(frames.Length); // each read bounded: a send still pending blocks it

        Assert.InRange(drained.Length, 1, SocketWriter.StallSliceBytes);
        Assert.Equal(-1, drained.AsSpan().IndexOfAnyExcept((byte)0xAA));
    }

    [Fact]
    public async Task APeerThatReadsTooLittleToFreeTheSocket_IsNotStalled_UntilItStopsReading()
    {
        // 256 KiB asked, 416 KiB or more granted: the socket is writable again only once three quarters of it are read.
        await StartAsync(sendBuffer: 256 * 1024);
        _rig.Source.Enqueue(new byte[8 << 20]);
        await _time.WatchedTimerCreated.WaitAsync(TestBroker.Bound);

        // 128 KiB read: several of the kernel's buffers emptied, the socket still not writable.
        await _rig.Pair.ReadAsync(128 * 1024);
        _time.Advance(_stall);
        await _time.WatchedTimersCreated(2).WaitAsync(TestBroker.Bound); // waiting again, not ended
        Assert.False(_rig.Loop.IsCompleted);

        // Nothing read in the next period: now it is a stall.
        _time.Advance(_stall);
        Assert.Equal(SendEnd.Stalled, await _rig.Loop.WaitAsync(TestBroker.Bound));
    }

    private async Task StartAsync(int sendBuffer)
    {
        _rig.Use(await SocketPair.ConnectAsync(sendBuffer), _stall, _time);
        _rig.Loop = _rig.Writer.RunAsync(_rig.Abort.Token);
    }
}
