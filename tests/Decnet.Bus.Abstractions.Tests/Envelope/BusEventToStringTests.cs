using Decnet.Bus.Codec;

namespace Decnet.Bus.Abstractions.Tests.Envelope;

/// <summary>
/// <see cref="BusEvent.ToString"/> reaches logs and terminals (a handler's <c>$"{evt}"</c>, a debugger's display): the
/// public constructor takes any topic, type and id an application builds, so each is escaped there.
/// </summary>
public sealed class BusEventToStringTests
{
    [Fact]
    public void ToString_EscapesAControlCharacterInTheTopicTypeOrId()
    {
        var evt = new BusEvent("a.\u001b[2Jb", BusCodec.EmptyMap, "t\nforged line", "\u001b]0;pwned\u0007", 1.5);

        var text = evt.ToString();

        Assert.True(!text.Any(char.IsControl), $"a control character printed: {UntrustedText.Escape(text)}");
        Assert.Equal("a.\\u001B[2Jb type=t\\u000Aforged line id=\\u001B]0;pwned\\u0007", text);
    }

    [Fact]
    public void ToString_OfAHugeTypeOrId_IsBounded()
    {
        var evt = new BusEvent("a.b", BusCodec.EmptyMap, new string('\u0007', 100_000), new string('x', 100_000), 1.5);

        var text = evt.ToString();

        Assert.True(text.Length < 20_000, $"{text.Length} characters");
        Assert.Contains("more characters)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_OfAnOrdinaryEvent_IsUnchanged()
    {
        var id = new string('a', 32);

        Assert.Equal($"decky.d1.state type=applied id={id}", new BusEvent("decky.d1.state", BusCodec.EmptyMap, "applied", id, 1.5).ToString());
    }
}
