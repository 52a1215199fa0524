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
