using System.Security.Cryptography;

namespace Decnet.Bus;

/// <summary>Generates and checks envelope ids: 128 random bits as 32 lowercase hex characters.</summary>
internal static class EventId
{
    /// <summary>Length of an id in characters.</summary>
    public const int Length = 32;

    /// <summary>Random bytes drawn per refill: one RNG call serves 256 ids.</summary>
    private const int _randomPoolSize = 4096;

    [ThreadStatic]
    private static byte[]? _randomPool;

    [ThreadStatic]
    private static int _randomUsed;

    /// <summary>Returns a fresh random id.</summary>
    public static string NewId()
    {
        Span<byte> bytes = stackalloc byte[16];
        TakeRandom(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    /// <summary>
    /// Writes a fresh random id as 32 lowercase hex ASCII (UTF-8) bytes into <paramref name="destination"/>, without
    /// allocating: the transports' publish path puts it straight into the frame.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="Length"/>.</exception>
    public static void WriteNewIdUtf8(Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, Length, nameof(destination));
        Span<byte> bytes = stackalloc byte[16];
        TakeRandom(bytes);
        Convert.TryToHexStringLower(bytes, destination, out _);
    }

    /// <summary>Fills <paramref name="destination"/> (16 bytes) from this thread's pool of cryptographic random bytes.</summary>
    private static void TakeRandom(Span<byte> destination)
    {
        var pool = _randomPool;
        if (pool is null || _randomUsed == _randomPoolSize)
        {
            // Drawn in bulk: one RandomNumberGenerator call costs about as much as publishing a whole event.
            pool ??= _randomPool = new byte[_randomPoolSize];
            RandomNumberGenerator.Fill(pool);
            _randomUsed = 0;
        }

        var taken = pool.AsSpan(_randomUsed, destination.Length);
        _randomUsed += destination.Length;
        taken.CopyTo(destination);
        taken.Clear();
    }

    /// <summary>
    /// True when <paramref name="utf8"/> is exactly 32 lowercase hex characters: the check a receiver makes on an id
    /// still in its receive buffer, without allocating.
    /// </summary>
    public static bool IsValidUtf8(ReadOnlySpan<byte> utf8)
        => utf8.Length == Length && LowerHex.IsAll(utf8);

    /// <summary>True when <paramref name="id"/> is exactly 32 lowercase hex characters.</summary>
    public static bool IsValid(string? id) => id is { Length: Length } && LowerHex.IsAll(id);
}
