using Decnet.Bus.Codec;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// <see cref="UnixSocketBus.ForwardAsync"/>, the bridge's import path (docs/cross-host.md): an event from another host
/// is checked like a publish before it reaches the broker, which closes the whole connection over a bad PUB.
/// </summary>
public sealed class ForwardTests
{
    [Theory]
    [InlineData("a\nb", "a\\u000Ab")]
    [InlineData("\u001b[2J\u001b[31mred", "\\u001B[2J\\u001B[31mred")]
    [InlineData("csi\u009b31m", "csi\\u009B31m")]
    public async Task Forward_TypeWithAControlCharacter_ThrowsArgumentException_AndTheConnectionStays(string type, string escaped)
    {
        await using var broker = await TestBroker.StartAsync();
        var bus = broker.CreateClient("bridge");
        await using var all = await bus.SubscribeAsync("fwd.>");
        var generation = bus.Generation;

        var refused = await Assert.ThrowsAsync<ArgumentException>(() => bus.ForwardAsync(new BusEvent("fwd.bad", BusCodec.EmptyMap, type, null, 1.5)).AsTask());
        await bus.ForwardAsync(new BusEvent("fwd.good", BusCodec.EmptyMap, "good", null, 1.5));

        Assert.Contains(escaped, refused.Message, StringComparison.Ordinal);
        Assert.False(UntrustedText.NeedsEscaping(refused.Message), refused.Message);
        Assert.Equal("fwd.good", (await Receive.NextAsync(all)).Topic);
        Assert.Equal(generation, bus.Generation);
        Assert.Equal(new BusCounters(1, 1, 0), bus.Counters);
    }
}
