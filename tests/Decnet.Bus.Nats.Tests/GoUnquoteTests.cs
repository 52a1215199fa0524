using Decnet.Bus.Nats.Internal;

namespace Decnet.Bus.Nats.Tests;

/// <summary>
/// <see cref="GoUnquote"/> reads what Go's <c>%q</c> writes (nats-server quotes a subject so in an <c>-ERR</c>), every
/// escape form of it, and refuses what Go's <c>strconv.Unquote</c> refuses.
/// </summary>
public sealed class GoUnquoteTests
{
    [Theory]
    [InlineData("\"\"", "")]
    [InlineData("\"host.b.>\"", "host.b.>")]
    [InlineData("\"host.b.\u00e9\"", "host.b.\u00e9")] // printable: written as it is
    [InlineData("\"host.b.\U0001FAE0\"", "host.b.\U0001FAE0")] // printable to a newer Go: a surrogate pair here
    [InlineData("\"host.b.\\U0001fae0\"", "host.b.\U0001FAE0")] // not printable to an older Go
    [InlineData("\"\\U0001FAE0\"", "\U0001FAE0")] // upper-case hex digits
    [InlineData("\"\\u00e9\\u200B\"", "\u00e9\u200B")]
    [InlineData("\"\\a\\b\\f\\n\\r\\t\\v\"", "\a\b\f\n\r\t\v")]
    [InlineData("\"a\\\\b\\\"c\"", "a\\b\"c")]
    [InlineData("\"\\x00\\x7f\\x41\"", "\0\u007fA")]
    [InlineData("\"\\xc3\\xa9\"", "\u00e9")] // two bytes that make one UTF-8 rune
    [InlineData("\"\\101\\000\\303\\251\"", "A\0\u00e9")] // octal bytes
    [InlineData("\"\\U0010FFFF\"", "\U0010FFFF")]
    [InlineData("\"a\tb\"", "a\tb")] // a raw control character other than a newline
    public void TryUnquote_WhatGoQuotes_GivesTheOriginal(string quoted, string expected)
    {
        Assert.True(GoUnquote.TryUnquote(quoted, out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("host.b")] // no quotes
    [InlineData("'host.b'")] // single quotes
    [InlineData("\"host.b")] // no closing quote
    [InlineData("\"host.b\\\"")] // the closing quote escaped
    [InlineData("\"a\nb\"")] // raw newline
    [InlineData("\"\\\"")] // a lone backslash then the end
    [InlineData("\"\\'\"")] // \' belongs to single quotes
    [InlineData("\"\\q\"")] // unknown escape
    [InlineData("\"\\x4\"")] // too few hex digits
    [InlineData("\"\\xg0\"")] // not hex
    [InlineData("\"\\u00e\"")]
    [InlineData("\"\\U0001fae\"")]
    [InlineData("\"\\ud800\"")] // a surrogate is no rune
    [InlineData("\"\\U00110000\"")] // beyond Unicode
    [InlineData("\"\\UFFFFFFFF\"")]
    [InlineData("\"\\12\"")] // too few octal digits
    [InlineData("\"\\400\"")] // octal over a byte
    [InlineData("\"\\108\"")] // not octal
    [InlineData("\"\\xff\"")] // bytes that are no UTF-8
    [InlineData("\"\\xc3\"")] // half a rune
    [InlineData("\"a\" ")] // more after the literal
    public void TryUnquote_Malformed_IsRefused(string quoted)
    {
        Assert.False(GoUnquote.TryUnquote(quoted, out var value));
        Assert.Null(value);
    }

    [Fact]
    public void TryUnquote_LoneSurrogate_IsRefused()
    {
        // Built here: xUnit would carry a lone surrogate in theory data as U+FFFD.
        Assert.False(GoUnquote.TryUnquote(string.Concat("\"a", "\ud800", "b\""), out _));
        Assert.False(GoUnquote.TryUnquote(string.Concat("\"a", "\udc00", "\""), out _));
        Assert.False(GoUnquote.TryUnquotePrefix(string.Concat("\"a", "\ud83e"), out _, out _));
    }

    [Fact]
    public void TryUnquotePrefix_StopsAtTheClosingQuote_AndSaysWhere()
    {
        const string text = "\"host.\\\"b\\\"\" using queue \"q\"";

        Assert.True(GoUnquote.TryUnquotePrefix(text, out var value, out var length));

        Assert.Equal("host.\"b\"", value);
        Assert.Equal(" using queue \"q\"", text[length..]);
    }
}
