using Decnet.Bus.Unix.Broker.Internal;

namespace Decnet.Bus.Unix.Tests.Broker.Python;

/// <summary>The sids a Python connection's subscriptions route under (the broker chooses them, docs/text-protocol.md §3).</summary>
public sealed class TextSessionTests
{
    [Fact]
    public void NextSid_AfterWrappingPastUintMax_SkipsTheSidsTheSessionStillHolds()
    {
        // 2^32 SUB/UNSUB on one connection wrap the counter; the patterns held since the first lap keep their sids.
        var session = new TextSession(lastSid: uint.MaxValue - 1);
        session.Patterns["old.a"] = 0;
        session.Patterns["old.b"] = 1;
        session.Patterns["old.c"] = 3;

        Assert.Equal(uint.MaxValue, session.NextSid());
        Assert.Equal(2u, session.NextSid());
        session.Patterns["new.a"] = 2;
        Assert.Equal(4u, session.NextSid());
    }
}
