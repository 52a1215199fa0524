using Decnet.Bus.Unix.Broker.Internal;

namespace Decnet.Bus.Unix.Tests.Broker;

/// <summary>
/// One connection's idle deadline as the broker's sweep and the receive loop share it (docs/reliability.md, "idle"):
/// when to PING, when to cut, and how a frame that races a cut voids it. Timestamps are plain numbers here: the
/// probe after 50 units of silence, the cut 50 units after an unanswered probe.
/// </summary>
public sealed class IdleWatchTests
{
    private const long _probeAfter = 50;
    private const long _answerWithin = 50;

    [Fact]
    public void BeforeTheHandshake_TheSweepLeavesTheConnectionToTheHandshakeTimeout()
    {
        var watch = new IdleWatch();

        Assert.Equal(IdleVerdict.None, Check(watch, 1_000));
        Assert.False(watch.TakeCut());
    }

    [Fact]
    public void ASilentPeer_IsProbedOnce_ThenCut_AndTheCutIsTakenOnce()
    {
        var watch = new IdleWatch();
        watch.Active(0);

        Assert.Equal(IdleVerdict.None, Check(watch, 49));
        Assert.Equal(IdleVerdict.Probe, Check(watch, 50));
        Assert.Equal(IdleVerdict.None, Check(watch, 60)); // one PING per silence, not one per tick
        Assert.Equal(IdleVerdict.None, Check(watch, 99));
        Assert.False(watch.TakeCut());

        Assert.Equal(IdleVerdict.Cut, Check(watch, 100));
        Assert.True(watch.TakeCut());
        Assert.False(watch.TakeCut());
    }

    [Fact]
    public void APongReadAtTheSameClockReadingAsThePing_StillAnswersIt()
    {
        // A fake clock (and a coarse real one) can give the PONG's read the PING's timestamp: the read count, not the
        // time, says that the peer answered.
        var watch = ProbedAt50();
        watch.Active(50);

        Assert.Equal(IdleVerdict.None, Check(watch, 99));
        Assert.Equal(IdleVerdict.Probe, Check(watch, 100)); // probed again, never cut
        Assert.False(watch.TakeCut());
    }

    [Fact]
    public void AFrameAfterTheCutWasAskedFor_VoidsIt()
    {
        // The sweep asks for the cut, then the frame that was on its way is handled before the loop looks: the peer is
        // alive and stays. However late the loop takes the request, it names a read count the loop has passed.
        var watch = ProbedAt50();
        Assert.Equal(IdleVerdict.Cut, Check(watch, 100));

        watch.Active(101);

        Assert.False(watch.TakeCut());
        Assert.Equal(IdleVerdict.None, Check(watch, 120));
    }

    [Fact]
    public void ReadsThatKeepComing_AreNeverProbed()
    {
        var watch = new IdleWatch();
        for (long now = 0; now < 1_000; now += 40)
        {
            watch.Active(now);
            Assert.Equal(IdleVerdict.None, Check(watch, now + 49));
        }
    }

    [Fact]
    public async Task AFrameRacingTheCut_LeavesNoCutToTake_WhicheverThreadGoesFirst()
    {
        // The loop reports a read while the sweep decides, on two threads released together: whatever the
        // interleaving, a read handled after the count the sweep decided on voids the cut.
        for (var round = 0; round < 2_000; round++)
        {
            var watch = ProbedAt50();
            using var start = new Barrier(2);
            var sweep = Task.Run(() =>
            {
                start.SignalAndWait();
                return Check(watch, 100);
            });
            var loop = Task.Run(() =>
            {
                start.SignalAndWait();
                watch.Active(100);
            });

            await Task.WhenAll(sweep, loop).WaitAsync(TimeSpan.FromSeconds(10));

            Assert.False(watch.TakeCut(), $"round {round}: a cut survived a read that ended after it ({await sweep})");
        }
    }

    private static IdleVerdict Check(IdleWatch watch, long now) => watch.Check(now, _probeAfter, _answerWithin);

    /// <summary>A watch whose connection spoke at 0 and was PINGed at 50, the sweep's first chance.</summary>
    private static IdleWatch ProbedAt50()
    {
        var watch = new IdleWatch();
        watch.Active(0);
        Assert.Equal(IdleVerdict.Probe, Check(watch, 50));
        return watch;
    }
}
