namespace Decnet.Bench.Load.Systems;

/// <summary>
/// Decnet's payload must be a string-keyed map: {"T": monotonic ns, "D": 112 bytes} encodes to exactly 128 bytes
/// (timestamps are large positive int64s, which MessagePack writes as uint64: 1 + 2 + 9 + 2 + 2 + 112).
/// </summary>
public sealed class BenchPayload
{
    public const int DataBytes = 112;

    /// <summary>Publisher's monotonic ns (0 outside W3).</summary>
    public long T { get; set; }

    /// <summary>Filler up to the 128-byte payload.</summary>
    public byte[] D { get; set; } = new byte[DataBytes];
}
