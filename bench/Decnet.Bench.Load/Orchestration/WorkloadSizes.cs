namespace Decnet.Bench.Load.Orchestration;

/// <summary>
/// Event counts and windows per workload; --quick shrinks counts, not the shape (W4 keeps 10,000 subscriptions). W4
/// publishes as many events as W1, since its target is a ratio to W1: a shorter run weighs start-up more (at a fifth of
/// W1's count the publisher ran at half the rate, with 3.2 times the CPU per event; docs/performance.md).
/// </summary>
internal sealed record WorkloadSizes(long W1, long W2, long W3, long W4, TimeSpan W5Window, long W6, long W1SWarmup, long W2SWarmup)
{
    public const int W2Subscribers = 10;
    public const int W3PaceMicroseconds = 100;

    /// <summary>Unmeasured W3 events first (0.3 s at the W3 pace), so the latencies time the transport, not start-up.</summary>
    public const int W3Warmup = 3_000;
    public const int W4Literals = 10_000;
    public const int W5Clients = 1_000;
    public const int W5Subscriptions = 3;

    public static WorkloadSizes Full { get; } = new(1_000_000, 200_000, 20_000, 1_000_000, TimeSpan.FromSeconds(30), 5_000_000, 200_000, 50_000);

    public static WorkloadSizes Quick { get; } = new(200_000, 50_000, 5_000, 200_000, TimeSpan.FromSeconds(5), 500_000, 50_000, 12_500);
}
