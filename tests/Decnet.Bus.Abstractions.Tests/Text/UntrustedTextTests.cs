using Decnet.Bus;

namespace Decnet.Bus.Abstractions.Tests.Text;

public sealed class UntrustedTextTests
{
    [Theory]
    [InlineData("decky.decky-01.mutation")]
    [InlineData("café \u00e9t\u00e9 \u4e2d\u6587 \u0915\u094d\u0937")]
    [InlineData("emoji \ud83d\ude80 ok")]
    [InlineData("back\\slash and \\u001b literal")]
    [InlineData("")]
    public void SafeText_IsReturnedUnchanged(string value)
    {
        Assert.Equal(value, UntrustedText.Escape(value));
        Assert.False(UntrustedText.NeedsEscaping(value));
    }

    [Theory]
    [InlineData("a\nb", "a\\u000Ab")]
    [InlineData("a\r\nb", "a\\u000D\\u000Ab")]
    [InlineData("\u001b[31mred", "\\u001B[31mred")]
    [InlineData("del\u007f", "del\\u007F")]
    [InlineData("c1\u009b", "c1\\u009B")]
    [InlineData("zw\u200bsp", "zw\\u200Bsp")]
    [InlineData("rlo\u202eevil", "rlo\\u202Eevil")]
    [InlineData("bom\ufeff", "bom\\uFEFF")]
    [InlineData("ls\u2028ps\u2029", "ls\\u2028ps\\u2029")]
    [InlineData("tag\udb40\udc01", "tag\\U000E0001")]
    public void UnsafeCharacters_AreShownAsEscapes(string value, string expected)
    {
        Assert.Equal(expected, UntrustedText.Escape(value));
        Assert.True(UntrustedText.NeedsEscaping(value));
    }

    [Fact]
    public void UnpairedSurrogates_AreShownAsEscapes()
    {
        // Built in code: xunit's theory data would replace a lone surrogate before the test sees it.
        Assert.Equal("lone\\uD800", UntrustedText.Escape("lone" + (char)0xD800));
        Assert.Equal("\\uDC00lone", UntrustedText.Escape((char)0xDC00 + "lone"));
        Assert.Equal("\\uD800\\uD800", UntrustedText.Escape(new string((char)0xD800, 2)));
    }

    [Fact]
    public void Null_BecomesEmpty() => Assert.Equal(string.Empty, UntrustedText.Escape(null));

    [Fact]
    public void Excerpt_KeepsAShortStringWhole_AndCutsALongOneSayingHowMuchIsLeft()
    {
        Assert.Equal("a\\u001Bb", UntrustedText.Excerpt("a\u001bb", 3));
        Assert.Equal("ab\\u001B… (2 more characters)", UntrustedText.Excerpt("ab\u001bcd", 3));
        Assert.Equal(string.Empty, UntrustedText.Excerpt(null));
        Assert.Throws<ArgumentOutOfRangeException>(() => UntrustedText.Excerpt("x", 0));
    }

    [Fact]
    public void Excerpt_NeverCutsASurrogatePairInHalf()
    {
        var text = "ab\U0001F600cd"; // the emoji is two UTF-16 units, at 2 and 3

        Assert.Equal("ab… (4 more characters)", UntrustedText.Excerpt(text, 3));
        Assert.Equal("ab\U0001F600… (2 more characters)", UntrustedText.Excerpt(text, 4));
    }

    [Fact]
    public void DescribeException_NamesEachExceptionOfTheChain_WithItsMessageEscapedAndCut()
    {
        var chain = new InvalidOperationException("cannot connect", new IOException("-ERR \u001b[2J\rforged" + new string('x', 600)));

        var described = UntrustedText.DescribeException(chain);

        Assert.StartsWith("InvalidOperationException: cannot connect ---> IOException: -ERR \\u001B[2J\\u000Dforged", described, StringComparison.Ordinal);
        Assert.EndsWith("… (104 more characters)", described, StringComparison.Ordinal);
        Assert.False(UntrustedText.NeedsEscaping(described), described);
    }

    [Fact]
    public void DescribeException_NamesAtMostNineOfADeepChain()
    {
        Exception chain = new InvalidOperationException("0");
        for (var i = 1; i < 20; i++)
        {
            chain = new InvalidOperationException(i.ToString(System.Globalization.CultureInfo.InvariantCulture), chain);
        }

        Assert.Equal(9, UntrustedText.DescribeException(chain).Split(" ---> ").Length);
    }

    [Fact]
    public void EveryBmpCharacter_EscapesToSomethingWithoutControlOrFormatCharacters()
    {
        for (var c = 0; c <= 0xFFFF; c++)
        {
            var escaped = UntrustedText.Escape("x" + (char)c + "y");
            Assert.False(UntrustedText.NeedsEscaping(escaped), $"U+{c:X4} left an unsafe character: {escaped}");
        }
    }
}
