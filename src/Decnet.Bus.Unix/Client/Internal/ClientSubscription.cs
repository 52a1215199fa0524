using System.Text;
using Decnet.Bus.Internal;

namespace Decnet.Bus.Unix.Client.Internal;

/// <summary>A client subscription: its wire id, pattern and the queue its consumer (enumerator or handler) reads.</summary>
internal sealed class ClientSubscription(uint sid, string pattern, SubscriptionQueue queue)
{
    // A literal pattern's UTF-8 bytes, null for a wildcard one: an event whose topic bytes are these can carry the
    // pattern's string, so none is made per event (docs/performance-history-3.md, part 13). IsValidTopic also refuses
    // unpaired surrogates, the one thing UTF-8 encoding replaces, so equal bytes mean an equal string.
    private readonly byte[]? _literal = Topics.IsValidTopic(pattern) ? Encoding.UTF8.GetBytes(pattern) : null;
    private int _everAcked;

    public uint Sid { get; } = sid;

    public string Pattern { get; } = pattern;

    public SubscriptionQueue Queue { get; } = queue;

    /// <summary>
    /// <see cref="Pattern"/> when it is a literal whose bytes are <paramref name="topicUtf8"/>; otherwise null, and the
    /// receiver decodes the bytes (the broker is not trusted to send only matching topics).
    /// </summary>
    public string? TopicFor(ReadOnlySpan<byte> topicUtf8) => _literal is not null && topicUtf8.SequenceEqual(_literal) ? Pattern : null;

    /// <summary>Set when the broker refused this subscription; it is then no longer kept or re-sent.</summary>
    public BusSubscriptionRejectedException? Rejection { get; set; }

    /// <summary>Called on SUBACK: from the second connection on, records a reconnect on the queue.</summary>
    public void Acknowledged()
    {
        if (Interlocked.Exchange(ref _everAcked, 1) != 0)
        {
            Queue.MarkReconnected();
        }
    }
}
