using System.Globalization;
using System.Text;
using MessagePack;

namespace Decnet.Bus.Fake.Internal;

/// <summary>Builds the message of <see cref="FakeBusWaitTimeoutException"/>: what was awaited and what was published instead.</summary>
internal static class WaitTimeoutMessage
{
    internal const int MaxListed = 20;
    internal const int MaxPayloadChars = 80;

    public static string Build(string clientName, string pattern, bool hasPredicate, int count, int found, TimeSpan timeout, IReadOnlyList<BusEvent> published)
    {
        var builder = new StringBuilder();
        builder.Append(CultureInfo.InvariantCulture, $"FakeBus \"{clientName}\": no{(count > 1 ? $" {count}" : string.Empty)} event{(count > 1 ? "s" : string.Empty)} matching \"{pattern}\"");
        if (hasPredicate)
        {
            builder.Append(" and the predicate");
        }

        builder.Append(CultureInfo.InvariantCulture, $" published within {timeout.TotalSeconds:0.###} s");
        if (count > 1)
        {
            builder.Append(CultureInfo.InvariantCulture, $" (found {found})");
        }

        if (published.Count == 0)
        {
            return builder.Append("; nothing was published.").ToString();
        }

        builder.Append(CultureInfo.InvariantCulture, $". Published instead ({published.Count}):");
        var skipped = Math.Max(0, published.Count - MaxListed);
        if (skipped > 0)
        {
            builder.Append(CultureInfo.InvariantCulture, $"\n  ... {skipped} older event(s) not shown");
        }

        foreach (var evt in published.Skip(skipped))
        {
            builder.Append(CultureInfo.InvariantCulture, $"\n  {evt.Topic} type=\"{evt.Type}\" payload={Summarize(evt.Payload)}");
        }

        return builder.ToString();
    }

    private static string Summarize(ReadOnlyMemory<byte> payload)
    {
        string text;
        try
        {
            text = MessagePackSerializer.ConvertToJson(payload);
        }
        catch (MessagePackSerializationException)
        {
            text = Convert.ToHexStringLower(payload.Span);
        }

        return text.Length <= MaxPayloadChars ? text : string.Concat(text.AsSpan(0, MaxPayloadChars), "...");
    }
}
