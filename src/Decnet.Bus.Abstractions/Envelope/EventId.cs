using System.Security.Cryptography;

namespace Decnet.Bus;

/// <summary>Generates and checks envelope ids: 128 random bits as 32 lowercase hex characters.</summary>
public static class EventId
{
    /// <summary>Length of an id in characters.</summary>
    public const int Length = 32;

    /// <summary>Returns a fresh random id.</summary>
    public static string NewId()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    /// <summary>Random bytes drawn per refill: one RNG call serves 256 ids.</summary>
    private const int _randomPoolSize = 4096;

    [ThreadStatic]
    private static byte[]? _randomPool;

    [ThreadStatic]
    private static int _randomUsed;

    /// <summary>
    /// Writes a fresh random id as 32 lowercase hex ASCII (UTF-8) bytes into <paramref name="destination"/>, without
    /// allocating: the transports' publish path puts it straight into the frame.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="Length"/>.</exception>
    public static void WriteNewIdUtf8(Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, Length, nameof(destination));
        var pool = _randomPool;
        if (pool is null || _randomUsed == _randomPoolSize)
        {
            // Cryptographic randomness, drawn in bulk: the per-call cost of the RNG dominated publishing.
            pool ??= _randomPool = new byte[_randomPoolSize];
            RandomNumberGenerator.Fill(pool);
            _randomUsed = 0;
        }

        var bytes = pool.AsSpan(_randomUsed, 16);
        _randomUsed += 16;
        Convert.TryToHexStringLower(bytes, destination, out _);
        bytes.Clear();
    }

    /// <summary>True when <paramref name="id"/> is exactly 32 lowercase hex characters.</summary>
    public static bool IsValid(string? id)
    {
        if (id is null || id.Length != Length)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
