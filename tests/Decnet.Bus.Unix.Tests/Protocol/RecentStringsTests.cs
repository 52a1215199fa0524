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
    public void Get_PastTheTablesCount_KeepsNoMore_AndDecodesTheRestPerCall()
    {
        var recent = new RecentStrings();
        for (var i = 0; i < RecentStrings.Capacity + 100; i++)
        {
            Assert.Equal($"t.{i}", recent.Get(Encoding.UTF8.GetBytes($"t.{i}")));
        }

        var late = Encoding.UTF8.GetBytes($"t.{RecentStrings.Capacity + 5}");
        var first = recent.Get(late);
        recent.Get("t.0"u8);
        var again = recent.Get(late);

        Assert.Equal(RecentStrings.Capacity, recent.TableCount);
        Assert.Equal(first, again);
        Assert.NotSame(first, again);

        // A value kept before the table filled is still the one string, the last one or not.
        var kept = recent.Get("t.0"u8);
        recent.Get("t.1"u8);
        Assert.Same(kept, recent.Get("t.0"u8));
    }

    [Fact]
    public void Get_LongValues_TheTableHoldsNoMoreThanItsBytes_AndNoneOverTheLimit()
    {
        var recent = new RecentStrings();
        var tooLong = "t." + new string('x', RecentStrings.MaxCachedBytes);
        recent.Get(Encoding.UTF8.GetBytes(tooLong));
        Assert.Equal(0, recent.TableCount);

        for (var i = 0; i < 1000; i++)
        {
            var value = $"{i:D4}." + new string('x', 195);
            Assert.Equal(value, recent.Get(Encoding.UTF8.GetBytes(value)));
        }

        Assert.Equal(RecentStrings.MaxTableBytes / 200, recent.TableCount);
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
