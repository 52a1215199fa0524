using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Hardening.Tests.Support;

/// <summary>Encodes frames to arrays for tests.</summary>
internal static class FrameBytes
{
    public static byte[] Of(Action<PooledBufferWriter> write)
    {
        using var buffer = new PooledBufferWriter();
        write(buffer);
        return buffer.WrittenSpan.ToArray();
    }
}
