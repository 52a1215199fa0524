namespace Decnet.Bus;

/// <summary>
/// The rule for an envelope <c>type</c> (docs/wire-protocol.md §3): one line of text, so no control character (C0,
/// DEL, C1). The broker refuses such a PUB with ERR 1; every client checks first, so a caller gets an
/// <see cref="ArgumentException"/> instead of a broken connection.
/// </summary>
internal static class EventTypes
{
    /// <summary>Throws when <paramref name="type"/> contains a control character; null and empty are fine.</summary>
    /// <exception cref="ArgumentException"><paramref name="type"/> contains a control character.</exception>
    public static void EnsureValid(string? type)
    {
        if (type is null)
        {
            return;
        }

        var at = UntrustedText.IndexOfControl(type);
        if (at >= 0)
        {
            throw new ArgumentException(
                $"Event type \"{UntrustedText.Escape(type)}\" contains a control character (U+{(int)type[at]:X4}); a type is one line of text.",
                nameof(type));
        }
    }
}
