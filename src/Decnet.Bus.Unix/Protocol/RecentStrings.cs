using System.Text;

namespace Decnet.Bus.Unix.Protocol;

/// <summary>
/// The strings decoded from one field of a stream of events, so each distinct value is decoded once instead of into a
/// new string per event: the last one (compared first: a stream on one topic pays one comparison), and a bounded table
/// of the others, so a wildcard subscriber whose events move between deckies decodes each decky's topic once. Used by
/// one receive loop; not thread-safe.
/// </summary>
/// <remarks>
/// The table (<see cref="Utf8StringTable"/>, made when a second value is met) takes no more once it holds
/// <see cref="Utf8StringTable.Capacity"/> values or <see cref="Utf8StringTable.MaxBytes"/> of UTF-8, about 330 KB at most with its
/// slots, keys and strings. Nothing is evicted (eviction would make a stream over more values than fit copy a key per event).
/// Once it is full, a window of <see cref="FullWindow"/> look-ups with more misses than hits drops it for good: a stream
/// over more values than fit then decodes per event as it did before the table, without a look-up that mostly misses.
/// </remarks>
internal sealed class RecentStrings
{
    /// <summary>The longest value, in UTF-8 bytes, that is kept.</summary>
    internal const int MaxCachedBytes = 256;

    /// <summary>The look-ups of a full table after which it is kept only if most of them hit.</summary>
    internal const int FullWindow = 1024;

    private readonly byte[] _bytes = new byte[MaxCachedBytes];
    private Utf8StringTable? _table;
    private bool _tableDropped;
    private int _fullLookups;
    private int _fullMisses;
    private int _length = -1;
    private string _value = string.Empty;

    /// <summary>Whether the table was made (for tests).</summary>
    internal bool HasTable => _table is not null;

    /// <summary>How many values the table holds (for tests).</summary>
    internal int TableCount => _table?.Count ?? 0;

    /// <summary>Whether the table was dropped because it was full and mostly missed.</summary>
    internal bool TableDropped => _tableDropped;

    /// <summary>The string for <paramref name="utf8"/>: the one kept for the same bytes, else a new one.</summary>
    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length == _length && utf8.SequenceEqual(_bytes.AsSpan(0, _length)))
        {
            return _value;
        }

        if (utf8.Length > MaxCachedBytes)
        {
            return Encoding.UTF8.GetString(utf8);
        }

        // The first value goes in the last one's place: a field that never changes (an event type) makes no table.
        var value = _length < 0 || TableDropped ? Encoding.UTF8.GetString(utf8) : FromTable(utf8);
        utf8.CopyTo(_bytes);
        _length = utf8.Length;
        _value = value;
        return value;
    }

    private string FromTable(ReadOnlySpan<byte> utf8)
    {
        var table = _table ?? NewTable();
        var value = table.GetOrAdd(utf8, out var hit);
        if (table.IsFull)
        {
            CountFullLookup(hit);
        }

        return value;
    }

    /// <summary>The table, made at the second value met, with the first (the last one until now) in it.</summary>
    private Utf8StringTable NewTable()
    {
        _table = new Utf8StringTable();
        _table.Add(_bytes.AsSpan(0, _length), _value);
        return _table;
    }

    private void CountFullLookup(bool hit)
    {
        _fullMisses += hit ? 0 : 1;
        if (++_fullLookups < FullWindow)
        {
            return;
        }

        if (_fullMisses * 2 > FullWindow)
        {
            _table = null;
            _tableDropped = true;
        }

        _fullLookups = 0;
        _fullMisses = 0;
    }
}
