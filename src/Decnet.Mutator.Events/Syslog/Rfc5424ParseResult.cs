using System.Diagnostics.CodeAnalysis;

namespace Decnet.Mutator.Events;

/// <summary>The outcome of <see cref="Rfc5424Parser.Parse"/>: the message, or why and where the line was rejected.</summary>
public sealed class Rfc5424ParseResult
{
    private Rfc5424ParseResult(Rfc5424Message? message, string? error, int errorPosition, bool truncated)
    {
        Message = message;
        Error = error;
        ErrorPosition = errorPosition;
        Truncated = truncated;
    }

    /// <summary>True when <see cref="Message"/> is set.</summary>
    [MemberNotNullWhen(true, nameof(Message))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Success => Message is not null;

    /// <summary>The parsed message, on success.</summary>
    public Rfc5424Message? Message { get; }

    /// <summary>Why the line is not RFC 5424, on failure.</summary>
    public string? Error { get; }

    /// <summary>Zero-based character index where parsing failed, or -1 on success.</summary>
    public int ErrorPosition { get; }

    /// <summary>
    /// True when the line was rejected only because it ended where the grammar needed more: a non-empty prefix of a
    /// line, such as the fragment a write cut short by a full disk leaves (docs/mutation-events.md).
    /// </summary>
    public bool Truncated { get; }

    internal static Rfc5424ParseResult Ok(Rfc5424Message message) => new(message, null, -1, truncated: false);

    internal static Rfc5424ParseResult Fail(string error, int position, bool truncated = false)
        => new(null, $"{error} (at column {position + 1})", position, truncated);
}
