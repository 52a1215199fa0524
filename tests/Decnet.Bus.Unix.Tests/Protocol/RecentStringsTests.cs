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
