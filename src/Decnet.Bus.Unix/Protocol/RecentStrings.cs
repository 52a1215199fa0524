using System.Text;

namespace Decnet.Bus.Unix.Protocol;

/// <summary>
/// The strings decoded from one field of a stream of events, so each distinct value is decoded once instead of into a
/// new string per event: the last one (compared first: a stream on one topic pays one comparison), and a bounded table
/// of the others, so a wildcard subscriber whose events move between deckies decodes each decky's topic once. Used by
/// one receive loop; not thread-safe.
/// </summary>
/// <remarks>
/// The table takes no more once it holds <see cref="Capacity"/> strings or <see cref="MaxTableBytes"/> of UTF-8, under
/// 300 KB with the strings and entries; a value it lacks is then decoded per event, as before it had one. Nothing
/// is evicted, so a stream over more values than fit costs no more than it did without the table. It is keyed with a
/// per-process seeded hash, so values from the wire cannot be chosen to collide.
/// </remarks>
internal sealed class RecentStrings
{
    /// <summary>The longest value, in UTF-8 bytes, that is kept.</summary>
    internal const int MaxCachedBytes = 256;

    /// <summary>How many values the table keeps beside the last one.</summary>
    internal const int Capacity = 1024;

    /// <summary>How many UTF-8 bytes the table's values may hold together.</summary>
    internal const int MaxTableBytes = 64 * 1024;

    private readonly byte[] _bytes = new byte[MaxCachedBytes];
    private readonly Dictionary<byte[], string> _table = new(Utf8KeyComparer.Instance);
    private readonly Dictionary<byte[], string>.AlternateLookup<ReadOnlySpan<byte>> _lookup;
    private int _length = -1;
    private string _value = string.Empty;
    private int _tableBytes;

    public RecentStrings() => _lookup = _table.GetAlternateLookup<ReadOnlySpan<byte>>();

    /// <summary>How many values the table holds (for tests).</summary>
    internal int TableCount => _table.Count;

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

        if (!_lookup.TryGetValue(utf8, out var value))
        {
            value = Encoding.UTF8.GetString(utf8);
            if (_table.Count < Capacity && _tableBytes + utf8.Length <= MaxTableBytes)
            {
                _table.Add(utf8.ToArray(), value);
                _tableBytes += utf8.Length;
            }
        }

        utf8.CopyTo(_bytes);
        _length = utf8.Length;
        _value = value;
        return value;
    }

    /// <summary>Compares keys by their bytes, and looks them up by a span of bytes without copying it.</summary>
    private sealed class Utf8KeyComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly Utf8KeyComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => GetHashCode(obj.AsSpan());

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = default(HashCode);
            hash.AddBytes(alternate);
            return hash.ToHashCode();
        }

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
