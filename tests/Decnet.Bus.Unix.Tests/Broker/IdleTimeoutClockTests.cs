using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Decnet.Bus.Unix.Tests.Broker;

/// <summary>
/// The broker's idle deadline on a fake clock (docs/reliability.md, "idle"): what pushes it back is decided by frames,
/// not by how fast a loaded machine answers, so the test advances time itself (and with it the broker's idle sweep)
/// instead of racing a wall-clock loop.
/// </summary>
public sealed class IdleTimeoutClockTests
{
    private static readonly TimeSpan _idle = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task IdleTimeout_IsReArmedByEveryFrame()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        await using var broker = await TestBroker.StartAsync(o => o.IdleTimeout = _idle, time);
        await using var raw = await RawClient.ConnectAsync(broker.SocketPath);

        // Each round stays under half the idle timeout (when the broker would PING to probe) after the frame before it,
        // and the rounds add up to more than two idle timeouts: only a deadline that every frame pushes back lets each
        // PING be answered by a PONG, with no probe PING and no ERR 10 in between.
        var step = (_idle / 2) - TimeSpan.FromMilliseconds(10);
        for (var round = 0; round < 5; round++)
        {
            time.Advance(step);
            await raw.PingAsync();
        }

        Assert.True(time.GetUtcNow() - DateTimeOffset.UnixEpoch > 2 * _idle);
        Assert.Empty(broker.Server.GetStats().Rejections);
    }

    [Fact]
    public async Task TheProbe_ReachesASilentClient_AndEachPongKeepsItConnected_WhileSilenceAfterAProbeEndsIt()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        await using var broker = await TestBroker.StartAsync(o => o.IdleTimeout = _idle, time);
        await using var raw = await RawClient.ConnectAsync(broker.SocketPath);
        await raw.PingAsync(); // the handshake is done: the idle sweep watches the connection

        for (var round = 0; round < 3; round++)
        {
            // Half the idle timeout of silence: the broker's probe, written by its idle sweep while the connection's
            // send loop is parked, must arrive.
            time.Advance(_idle / 2);
            Assert.Equal(FrameKind.Ping, (await raw.ReadFrameAsync()).Kind);
            await raw.SendAsync(b => FrameWriter.WriteSimple(b, FrameKind.Pong));
            await raw.PingAsync(); // the PONG is handled: the silence starts again
        }

        time.Advance(_idle / 2);
        Assert.Equal(FrameKind.Ping, (await raw.ReadFrameAsync()).Kind);
        time.Advance(_idle / 2);
        await raw.ExpectErrorAndCloseAsync(BusErrorCode.IdleTimeout);
    }

    [Fact]
    public async Task OneSweep_ProbesEveryQuietClient_AndCutsOnlyTheOneThatDoesNotAnswer()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        await using var broker = await TestBroker.StartAsync(o => o.IdleTimeout = _idle, time);
        await using var answering = await RawClient.ConnectAsync(broker.SocketPath);
        await using var silent = await RawClient.ConnectAsync(broker.SocketPath);
        await answering.PingAsync();
        await silent.PingAsync();

        // The broker's one idle sweep reaches both quiet clients on the same tick.
        time.Advance(_idle / 2);
        Assert.Equal(FrameKind.Ping, (await answering.ReadFrameAsync()).Kind);
        Assert.Equal(FrameKind.Ping, (await silent.ReadFrameAsync()).Kind);
        await answering.SendAsync(b => FrameWriter.WriteSimple(b, FrameKind.Pong));
        await answering.PingAsync();

        // Half an idle timeout later the client that answered is probed again; the one that did not is cut.
        time.Advance(_idle / 2);
        await silent.ExpectErrorAndCloseAsync(BusErrorCode.IdleTimeout);
        Assert.Equal(FrameKind.Ping, (await answering.ReadFrameAsync()).Kind);
        await answering.PingAsync();
        Assert.Equal(1, broker.Server.GetStats().Rejections["idle_timeout"]);
    }
}
