using System.Text;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Tests.Protocol;

public sealed class RecentStringsTests
{
    [Fact]
    public void Get_SameBytes_ReturnsTheSameInstance_OtherBytes_TheirOwnString()
    {
        var recent = new RecentStrings();
        var first = recent.Get("decky.d1.mutation"u8);
        var again = recent.Get("decky.d1.mutation"u8);
        Assert.False(recent.HasTable, "a value that never changed made a table");
        var other = recent.Get("decky.d2.mutation"u8);

        Assert.Equal("decky.d1.mutation", first);
        Assert.Same(first, again);
        Assert.Equal("decky.d2.mutation", other);
        Assert.Equal("decky.d1.mutation", recent.Get("decky.d1.mutation"u8));
    }

    [Fact]
    public void Get_StringsInTurn_EachDecodedOnce()
    {
        var recent = new RecentStrings();
        var first = Enumerable.Range(0, 100).Select(i => recent.Get(Encoding.UTF8.GetBytes($"decky.d{i}.mutation"))).ToArray();
        var again = Enumerable.Range(0, 100).Select(i => recent.Get(Encoding.UTF8.GetBytes($"decky.d{i}.mutation"))).ToArray();

        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"decky.d{i}.mutation"), again);
        Assert.All(Enumerable.Range(0, 100), i => Assert.Same(first[i], again[i]));
    }

    [Fact]
    public void Get_AFullTableThatMostlyHits_IsKept_OneThatMostlyMisses_IsDropped()
    {
        var recent = new RecentStrings();

        // Fills the table: a value whose few slots are taken is not kept, so it takes somewhat more values than it holds.
        var values = 0;
        while (recent.TableCount < Utf8StringTable.Capacity)
        {
            Assert.True(values < Utf8StringTable.Capacity * 8, $"the table holds {recent.TableCount} after {values} values");
            Assert.Equal($"t.{values}", recent.Get(Encoding.UTF8.GetBytes($"t.{values}")));
            values++;
        }

        // One miss of a full table, then two windows of hits on two values kept first: the table stays.
        var missed = Encoding.UTF8.GetBytes($"t.{values}");
        recent.Get(missed);
        var kept = recent.Get("t.1"u8);
        for (var i = 0; i < RecentStrings.FullWindow; i++)
        {
            recent.Get("t.2"u8);
            Assert.Same(kept, recent.Get("t.1"u8));
        }

        Assert.False(recent.TableDropped);
        Assert.Equal(Utf8StringTable.Capacity, recent.TableCount);

        // A value the full table lacks is decoded per call, not kept.
        var first = recent.Get(missed);
        recent.Get("t.1"u8);
        Assert.NotSame(first, recent.Get(missed));

        // A window of misses: the stream is over more values than fit, and the table goes.
        for (var i = 1; i <= RecentStrings.FullWindow; i++)
        {
            Assert.Equal($"t.{values + i}", recent.Get(Encoding.UTF8.GetBytes($"t.{values + i}")));
        }

        Assert.True(recent.TableDropped);
        Assert.Equal(0, recent.TableCount);
        Assert.Equal("t.0", recent.Get("t.0"u8));
        Assert.Equal("t.1", recent.Get("t.1"u8));
    }

    [Fact]
    public void Get_LongValues_TheTableHoldsNoMoreThanItsBytes_AndNoneOverTheLimit()
    {
        var recent = new RecentStrings();
        var tooLong = Encoding.UTF8.GetBytes("t." + new string('x', RecentStrings.MaxCachedBytes));
        recent.Get("a"u8);
        recent.Get("b"u8);
        var first = recent.Get(tooLong);
        var again = recent.Get(tooLong);
        Assert.Equal(2, recent.TableCount);
        Assert.NotSame(first, again);
        Assert.Same(recent.Get("a"u8), recent.Get("a"u8));

        for (var i = 0; i < 1000; i++)
        {
            var value = $"{i:D4}." + new string('x', 195);
            Assert.Equal(value, recent.Get(Encoding.UTF8.GetBytes(value)));
        }

        // "a" and "b", then as many 200-byte values as fit in the bytes left.
        Assert.Equal(2 + ((Utf8StringTable.MaxBytes - 2) / 200), recent.TableCount);
    }

    [Fact]
    public void Get_LongAndMultiByteStrings_DecodeCorrectly()
    {
        var recent = new RecentStrings();
        var longTopic = "t." + new string('x', RecentStrings.MaxCachedBytes);
        var accented = "décky.ü";

        Assert.Equal(longTopic, recent.Get(Encoding.UTF8.GetBytes(longTopic)));
        Assert.Equal(accented, recent.Get(Encoding.UTF8.GetBytes(accented)));
        Assert.Equal(longTopic, recent.Get(Encoding.UTF8.GetBytes(longTopic)));
        Assert.Equal(string.Empty, recent.Get([]));
    }
}
