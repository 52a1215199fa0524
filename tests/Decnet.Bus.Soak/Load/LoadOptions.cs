using System.Globalization;

namespace Decnet.Bus.Soak.Load;

/// <summary>The shape of the load: how many publishers and subscribers, and how fast each publisher publishes.</summary>
public sealed record LoadOptions
{
    /// <summary>Publisher clients, one topic each.</summary>
    public int Publishers { get; init; } = 100;

    /// <summary>Subscriber clients, one subscription each (so the broker's per-connection row is per subscription).</summary>
    public int Subscribers { get; init; } = 100;

    /// <summary>Events per second per publisher; 0 publishes flat out.</summary>
    public int RatePerPublisher { get; init; } = 50;

    /// <summary>Every Nth subscriber stops reading during load (its client queue overflows, counted), 0 for none.</summary>
    public int LaggardEvery { get; init; } = 10;

    /// <summary>Publish calls per publisher that stand for a flat-out second (<see cref="RatePerPublisher"/> 0).</summary>
    public const int FlatOutPerSecond = 1_000;

    /// <summary>
    /// The load a span of time stands for: the publish calls each publisher makes in <paramref name="span"/> at its
    /// rate (flat out: <see cref="FlatOutPerSecond"/> a second), so a test awaits a volume, not a clock.
    /// </summary>
    public long CallsPerPublisher(TimeSpan span)
        => (long)Math.Ceiling(span.TotalSeconds * (RatePerPublisher > 0 ? RatePerPublisher : FlatOutPerSecond));

    /// <summary>
    /// Reads <c>DECNET_LOAD_PUBLISHERS</c>, <c>DECNET_LOAD_SUBSCRIBERS</c>, <c>DECNET_LOAD_RATE</c> over the defaults.
    /// </summary>
    public static LoadOptions FromEnvironment() => new()
    {
        Publishers = Read("DECNET_LOAD_PUBLISHERS", 100, 3),
        Subscribers = Read("DECNET_LOAD_SUBSCRIBERS", 100, 1),
        RatePerPublisher = Read("DECNET_LOAD_RATE", 50, 0),
    };

    /// <summary>An integer environment variable at or above <paramref name="minimum"/>, else <paramref name="fallback"/>.</summary>
    public static int Read(string variable, int fallback, int minimum)
        => int.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= minimum ? n : fallback;
}
