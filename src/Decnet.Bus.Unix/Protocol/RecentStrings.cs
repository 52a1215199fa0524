using System.Text;

namespace Decnet.Bus.Unix.Protocol;

/// <summary>
/// Remembers the last UTF-8 string decoded from each of a few fields, so a stream of events on the same topic and type
/// decodes each one once instead of allocating a new string per event. Used by one receive loop; not thread-safe.
/// </summary>
internal sealed class RecentStrings
{
    internal const int MaxCachedBytes = 256;

    private readonly byte[] _bytes = new byte[MaxCachedBytes];
    private int _length = -1;
    private string _value = string.Empty;

    /// <summary>The string for <paramref name="utf8"/>: the remembered one when the bytes are the same as last time.</summary>
    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length == _length && utf8.SequenceEqual(_bytes.AsSpan(0, _length)))
        {
            return _value;
        }

        var value = Encoding.UTF8.GetString(utf8);
        if (utf8.Length <= MaxCachedBytes)
        {
            utf8.CopyTo(_bytes);
            _length = utf8.Length;
            _value = value;
        }

        return value;
    }
}
