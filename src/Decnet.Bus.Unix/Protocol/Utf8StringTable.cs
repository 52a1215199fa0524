using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;

namespace Decnet.Bus.Unix.Protocol;

/// <summary>
/// A bounded table of strings by their UTF-8 bytes, looked up without copying the bytes (<see cref="RecentStrings"/>'s
/// table). Open addressing with a short probe: a value whose slots within reach are taken is simply not kept, so no
/// sequence of values, chosen or not, makes a look-up cost more than <see cref="MaxProbes"/> comparisons. Its slots
/// double as it fills, so a quarter of them at most are used: a few values cost a few slots, and a value is left out
/// only when all its slots within reach are taken, which at that load is rare (0 to 3 of 3,072,000 values with random
/// hashes in four runs of scripts/simulate-string-table.py, values lost while it grows included; with 2,048 fixed
/// slots and eight probes about 1 in 215). Not thread-safe.
/// </summary>
internal sealed class Utf8StringTable
{
    /// <summary>How many values it keeps at most.</summary>
    internal const int Capacity = 1024;

    /// <summary>How many UTF-8 bytes its values may hold together.</summary>
    internal const int MaxBytes = 64 * 1024;

    /// <summary>The most slots a look-up or an insertion tries.</summary>
    internal const int MaxProbes = 16;

    private const int _firstSlots = 16;

    // One seed per process: which values share slots cannot be known from outside, so a peer cannot aim for them.
    private static readonly ulong _seed = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));

    private int[] _hashes = new int[_firstSlots];
    private byte[]?[] _keys = new byte[_firstSlots][];
    private string?[] _values = new string[_firstSlots];

    /// <summary>How many values it holds.</summary>
    public int Count { get; private set; }

    /// <summary>How many UTF-8 bytes its values hold together.</summary>
    public int Bytes { get; private set; }

    /// <summary>Whether a value was refused because <see cref="Capacity"/> or <see cref="MaxBytes"/> was reached.</summary>
    public bool IsFull { get; private set; }

    /// <summary>How many slots it has now (for tests).</summary>
    internal int Slots => _keys.Length;

    /// <summary>The string kept for <paramref name="utf8"/>, if any.</summary>
    public bool TryGet(ReadOnlySpan<byte> utf8, [NotNullWhen(true)] out string? value)
    {
        var found = Find(utf8, Hash(utf8), out _);
        value = found >= 0 ? _values[found] : null;
        return value is not null;
    }

    /// <summary>Keeps <paramref name="value"/> for <paramref name="utf8"/>, if absent and there is room.</summary>
    public void Add(ReadOnlySpan<byte> utf8, string value)
    {
        var hash = Hash(utf8);
        if (Find(utf8, hash, out var free) < 0)
        {
            TryKeep(free, hash, utf8, value);
        }
    }

    /// <summary>
    /// The string kept for <paramref name="utf8"/> (<paramref name="hit"/>), else a new one, kept if there is room: one
    /// hash and one probe either way.
    /// </summary>
    public string GetOrAdd(ReadOnlySpan<byte> utf8, out bool hit)
    {
        var hash = Hash(utf8);
        var found = Find(utf8, hash, out var free);
        hit = found >= 0;
        if (hit)
        {
            return _values[found]!;
        }

        var value = Encoding.UTF8.GetString(utf8);
        TryKeep(free, hash, utf8, value);
        return value;
    }

    /// <summary>The slot holding <paramref name="utf8"/>, else -1, with the free slot its probe ended on (-1 if none).</summary>
    private int Find(ReadOnlySpan<byte> utf8, int hash, out int free)
    {
        var mask = _keys.Length - 1;
        for (var probe = 0; probe < MaxProbes; probe++)
        {
            var slot = (hash + probe) & mask;
            if (_keys[slot] is not { } key)
            {
                free = slot;
                return -1;
            }

            if (_hashes[slot] == hash && utf8.SequenceEqual(key))
            {
                free = -1;
                return slot;
            }
        }

        free = -1;
        return -1;
    }

    private void TryKeep(int free, int hash, ReadOnlySpan<byte> utf8, string value)
    {
        if (Count >= Capacity || Bytes + utf8.Length > MaxBytes)
        {
            IsFull = true;
            return;
        }

        if (free < 0)
        {
            return;
        }

        Set(free, hash, utf8.ToArray(), value);
        if (Count < Capacity && (Count + 1) * 4 > _keys.Length)
        {
            Grow();
        }
    }

    private void Set(int slot, int hash, byte[] key, string value)
    {
        _hashes[slot] = hash;
        _keys[slot] = key;
        _values[slot] = value;
        Count++;
        Bytes += key.Length;
    }

    /// <summary>Doubles the slots and places every value again (a value that finds no slot within reach is dropped).</summary>
    private void Grow()
    {
        var (hashes, keys, values) = (_hashes, _keys, _values);
        _hashes = new int[keys.Length * 2];
        _keys = new byte[keys.Length * 2][];
        _values = new string[keys.Length * 2];
        Count = 0;
        Bytes = 0;
        for (var slot = 0; slot < keys.Length; slot++)
        {
            if (keys[slot] is { } key && Find(key, hashes[slot], out var free) < 0 && free >= 0)
            {
                Set(free, hashes[slot], key, values[slot]!);
            }
        }
    }

    /// <summary>A seeded multiply-rotate hash, eight bytes a step: a few nanoseconds for a topic.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hash(ReadOnlySpan<byte> utf8)
    {
        const ulong Prime = 0x9E3779B97F4A7C15;
        var hash = _seed ^ (ulong)utf8.Length;
        while (utf8.Length >= 8)
        {
            hash = BitOperations.RotateLeft((hash ^ BinaryPrimitives.ReadUInt64LittleEndian(utf8)) * Prime, 29);
            utf8 = utf8[8..];
        }

        ulong tail = 0;
        for (var i = 0; i < utf8.Length; i++)
        {
            tail |= (ulong)utf8[i] << (8 * i);
        }

        hash = (hash ^ tail) * Prime;
        return (int)(hash ^ (hash >> 32));
    }
}
