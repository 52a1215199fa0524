using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Decnet.Bus.Unix.Protocol;

/// <summary>
/// A bounded table of strings by their UTF-8 bytes, looked up without copying the bytes (<see cref="RecentStrings"/>'s
/// table). Open addressing with a short probe: a value whose few slots are taken is simply not kept, so no sequence of
/// values, chosen or not, makes a look-up cost more than <see cref="MaxProbes"/> comparisons. Not thread-safe.
/// </summary>
internal sealed class Utf8StringTable
{
    /// <summary>How many values it keeps at most (half its slots, so probes stay short).</summary>
    internal const int Capacity = 1024;

    /// <summary>The most slots a look-up or an insertion tries.</summary>
    internal const int MaxProbes = 8;

    private const int _slots = Capacity * 2;

    // One seed per process: which values share slots cannot be known from outside, so a peer cannot aim for them.
    private static readonly ulong _seed = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));

    private readonly int[] _hashes = new int[_slots];
    private readonly byte[]?[] _keys = new byte[_slots][];
    private readonly string?[] _values = new string[_slots];

    /// <summary>How many values it holds.</summary>
    public int Count { get; private set; }

    /// <summary>How many UTF-8 bytes its values hold together.</summary>
    public int Bytes { get; private set; }

    /// <summary>The string kept for <paramref name="utf8"/>, if any.</summary>
    public bool TryGet(ReadOnlySpan<byte> utf8, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
    {
        var hash = Hash(utf8);
        for (var probe = 0; probe < MaxProbes; probe++)
        {
            var slot = (hash + probe) & (_slots - 1);
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
        var hash = Hash(utf8);
        for (var probe = 0; probe < MaxProbes && Count < Capacity; probe++)
        {
            var slot = (hash + probe) & (_slots - 1);
            if (_keys[slot] is null)
            {
                _hashes[slot] = hash;
                _keys[slot] = utf8.ToArray();
                _values[slot] = value;
                Count++;
                Bytes += utf8.Length;
                return;
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
