namespace Decnet.Bench.Transport;

/// <summary>The load suite's 128-byte payload: {"T": int64, "D": 112 bytes} (public: the contractless resolver needs it).</summary>
public sealed class SamplePayload
{
    /// <summary>A timestamp-sized value, so the map encodes to exactly 128 bytes.</summary>
    public long T { get; set; } = long.MaxValue / 3;

    /// <summary>Filler.</summary>
    public byte[] D { get; set; } = new byte[112];
}
