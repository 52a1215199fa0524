using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Decnet.Bus.Unix.Protocol;

/// <summary>
/// A bounded table of strings by their UTF-8 bytes, looked up without copying the bytes (<see cref="RecentStrings"/>'s
/// table). Open addressing with a short probe: a value whose slots within reach are taken is simply not kept, so no
/// sequence of values, chosen or not, makes a look-up cost more than <see cref="MaxProbes"/> comparisons. Its slots
/// double as it fills, so a quarter of them at most are used: a few topics cost a few slots, and a value is left out
/// only when all its slots within reach are taken, which at that load is rare (none of 3 million values with random
/// hashes in a simulation of this table; one in 10,000 with eight probes at half load). Not thread-safe.
/// </summary>
internal sealed class Utf8StringTable
{
    /// <summary>How many values it keeps at most.</summary>
    internal const int Capacity = 1024;

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

    /// <summary>How many slots it has now (for tests).</summary>
    internal int Slots => _keys.Length;

    /// <summary>The string kept for <paramref name="utf8"/>, if any.</summary>
    public bool TryGet(ReadOnlySpan<byte> utf8, [NotNullWhen(true)] out string? value)
    {
        var hash = Hash(utf8);
        var mask = _keys.Length - 1;
        for (var probe = 0; probe < MaxProbes; probe++)
        {
            var slot = (hash + probe) & mask;
            if (_keys[slot] is not { } key)
            {
                break;
            }

            if (_hashes[slot] == hash && utf8.SequenceEqual(key))
            {
                value = _values[slot]!;
                return true;
            }
        }

        value = null;
        return false;
    }

    /// <summary>Keeps <paramref name="value"/> for <paramref name="utf8"/> (absent) if a slot within reach is free.</summary>
    public void Add(ReadOnlySpan<byte> utf8, string value)
    {
        if (Count >= Capacity)
        {
            return;
        }

        if ((Count + 1) * 4 > _keys.Length)
        {
            Grow();
        }

        if (Place(Hash(utf8), utf8.ToArray(), value))
        {
            Count++;
            Bytes += utf8.Length;
        }
    }

    private bool Place(int hash, byte[] key, string value)
    {
        var mask = _keys.Length - 1;
        for (var probe = 0; probe < MaxProbes; probe++)
        {
            var slot = (hash + probe) & mask;
            if (_keys[slot] is null)
            {
                _hashes[slot] = hash;
                _keys[slot] = key;
                _values[slot] = value;
                return true;
            }
        }

        return false;
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
            if (keys[slot] is { } key && Place(hashes[slot], key, values[slot]!))
            {
                Count++;
                Bytes += key.Length;
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
