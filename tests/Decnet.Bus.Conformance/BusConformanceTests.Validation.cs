namespace Decnet.Bus.Conformance;

public abstract partial class BusConformanceTests
{
    [Theory]
    [InlineData("a..b", "..")]
    [InlineData("a.b*.c", "b*")]
    [InlineData("a.*.c", "*")]
    [InlineData("a.>", ">")]
    [InlineData("a.b c", "b c")]
    [InlineData(".a", ".a")]
    [InlineData("a.", "a.")]
    [InlineData("", "empty")]
    public async Task Publish_InvalidTopic_ThrowsArgumentExceptionNamingTheBadToken(string topic, string token)
    {
        var bus = await NewBusAsync();

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(async () => await bus.PublishAsync(topic, new { n = 1 }));

        Assert.Contains(token, error.Message, StringComparison.Ordinal);
        Assert.Equal(new BusCounters(0, 0, 0), bus.Counters);
    }

    [Theory]
    [InlineData("a..b", "..")]
    [InlineData("a.b*", "b*")]
    [InlineData("a.>x", ">x")]
    [InlineData("a.>.b", ">")]
    [InlineData("a.\tb", "\\u0009")]
    [InlineData("", "empty")]
    public async Task Subscribe_InvalidPattern_ThrowsArgumentExceptionNamingTheBadToken(string pattern, string token)
    {
        var bus = await NewBusAsync();

        var error = await Assert.ThrowsAnyAsync<ArgumentException>(async () => await bus.SubscribeAsync(pattern));

        Assert.Contains(token, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_PayloadThatIsNotAMap_ThrowsArgumentException()
    {
        var bus = await NewBusAsync();

        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await bus.PublishAsync(T("bad"), 42));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await bus.PublishAsync(T("bad"), new[] { 1, 2 }));
    }
}
