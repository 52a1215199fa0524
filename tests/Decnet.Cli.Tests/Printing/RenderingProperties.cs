using System.Text.Json;
using Decnet.Bus;
using Decnet.Cli.Bus;
using Decnet.Cli.Tests.Support;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Decnet.Cli.Tests.Printing;

/// <summary>
/// Rendering is total (docs/reliability.md, "Hostile input II", item 8): any well-formed payload map, any envelope
/// strings and any <c>ts</c> print as one terminal-safe line in both modes, and the JSON line parses.
/// </summary>
public sealed class RenderingProperties
{
    [Property(Arbitrary = [typeof(Events)], MaxTest = 500)]
    public void Any_event_prints_as_one_safe_line_in_both_modes(BusEvent evt)
    {
        var text = EventPrinter.ToTextLine(evt);
        var json = EventPrinter.ToJsonLine(evt);

        Assert.False(UntrustedText.NeedsEscaping(text), text);
        Assert.False(UntrustedText.NeedsEscaping(json), json);
        using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 128 });
        Assert.False(doc.RootElement.TryGetProperty("payload_error", out var error), error.ToString());
        Assert.Equal(evt.Type, doc.RootElement.GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Object, doc.RootElement.GetProperty("payload").ValueKind);
    }

    public static class Events
    {
        private static readonly string[] _atoms = ["", "a", "mutation", "\n", "\r", "\u001b[31m", "\u0085", "\u202e", "\u200b", "\u2028", "\ufeff", "日本", "🦀", "\U000E0001", "\t", "\\"];

        public static Arbitrary<BusEvent> Event()
        {
            var text = Gen.Choose(0, 5).SelectMany(n => Gen.ArrayOf(Gen.Elements(_atoms), n)).Select(a => string.Concat(a));
            var ts = Gen.OneOf(
                ArbMap.Default.GeneratorFor<long>().Select(BitConverter.Int64BitsToDouble),
                Gen.Elements(double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1e300, -1e300, 0.0, 1_700_000_000.5));
            var gen =
                from payload in MessagePackValues.PayloadMap
                from type in text
                from token in text
                from time in ts
                select new BusEvent("decky." + token, payload, type, token, time);
            return Arb.From(gen);
        }
    }
}
