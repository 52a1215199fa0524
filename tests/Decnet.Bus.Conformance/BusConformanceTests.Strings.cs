namespace Decnet.Bus.Conformance;

/// <summary>Issue 12, items 3 and 4: invisible code points in topics and patterns, control characters in the type.</summary>
public abstract partial class BusConformanceTests
{
    [Theory]
    [MemberData(nameof(TopicSamples.Invisible), MemberType = typeof(TopicSamples))]
    public async Task Publish_TopicWithInvisibleCodePoint_ThrowsNamingTheTokenAndTheCodePoint(string kind, int codePoint)
    {
        var bus = await NewBusAsync();
        var token = TopicSamples.Text(codePoint) + "decky-01";

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(async () => await bus.PublishAsync(T(token + ".mutation"), new { n = 1 }));

        Assert.Contains($"token 2 \"{UntrustedText.Escape(token)}\"", error.Message, StringComparison.Ordinal);
        Assert.Contains(TopicSamples.Name(codePoint), error.Message, StringComparison.Ordinal);
        Assert.False(UntrustedText.NeedsEscaping(error.Message), $"{kind}: the message carries the raw code point: {error.Message}");
        Assert.Equal(new BusCounters(0, 0, 0), bus.Counters);
    }

    [Theory]
    [MemberData(nameof(TopicSamples.Invisible), MemberType = typeof(TopicSamples))]
    public async Task Subscribe_PatternWithInvisibleCodePoint_ThrowsNamingTheTokenAndTheCodePoint(string kind, int codePoint)
    {
        var bus = await NewBusAsync();
        var token = "decky" + TopicSamples.Text(codePoint);

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(async () => await bus.SubscribeAsync(T(token + ".>")));

        Assert.Contains($"token 2 \"{UntrustedText.Escape(token)}\"", error.Message, StringComparison.Ordinal);
        Assert.Contains(TopicSamples.Name(codePoint), error.Message, StringComparison.Ordinal);
        Assert.False(UntrustedText.NeedsEscaping(error.Message), $"{kind}: the message carries the raw code point: {error.Message}");
    }

    [Theory]
    [MemberData(nameof(TopicSamples.Visible), MemberType = typeof(TopicSamples))]
    public async Task Publish_VisibleNonAsciiToken_IsStillDelivered(string token)
    {
        var bus = await NewBusAsync();
        await using var exact = await bus.SubscribeAsync(T(token));
        await using var wide = await bus.SubscribeAsync(T("*"));

        await bus.PublishAsync(T(token), new { n = 1 });

        Assert.Equal(T(token), (await ReadOneAsync(exact)).Topic);
        Assert.Equal(T(token), (await ReadOneAsync(wide)).Topic);
    }

    [Theory]
    [InlineData("forged\ndecky.decky-01.mutation", 0x0A)]
    [InlineData("\u001b[31mred", 0x1B)]
    [InlineData("cr\r", 0x0D)]
    [InlineData("nul\0", 0x00)]
    [InlineData("del\u007f", 0x7F)]
    [InlineData("csi\u009b", 0x9B)]
    public async Task Publish_TypeWithControlCharacter_ThrowsArgumentException(string type, int codePoint)
    {
        var bus = await NewBusAsync();

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(async () => await bus.PublishAsync(T("typed"), new { n = 1 }, type));

        Assert.Equal("type", error.ParamName);
        Assert.Contains(TopicSamples.Name(codePoint), error.Message, StringComparison.Ordinal);
        Assert.False(UntrustedText.NeedsEscaping(error.Message), error.Message);
        Assert.Equal(new BusCounters(0, 0, 0), bus.Counters);
    }

    [Fact]
    public async Task Publish_TypeWithFormatCharacter_IsDeliveredAsSent()
    {
        // Only control characters are refused in a type; a printer escapes the rest (docs/wire-protocol.md §3).
        var bus = await NewBusAsync();
        await using var subscription = await bus.SubscribeAsync(T("typed"));

        await bus.PublishAsync(T("typed"), new { n = 1 }, "rlo\u202eevil");

        Assert.Equal("rlo\u202eevil", (await ReadOneAsync(subscription)).Type);
    }
}
