using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Tests.Support;

/// <summary>Encodes frames to arrays for tests.</summary>
internal static class FrameBytes
{
    public static byte[] Of(Action<PooledBufferWriter> write)
    {
        using var buffer = new PooledBufferWriter();
        write(buffer);
        return buffer.WrittenSpan.ToArray();
    }

    public static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    public static byte[] FromHex(string hex) => Convert.FromHexString(string.Concat(hex.Where(static c => !char.IsWhiteSpace(c))));
}
