namespace Decnet.Bus.Internal;

/// <summary>
/// A client's reconnect backoff bounds as options give them, held to the range the validator allows for
/// <c>DECNET_BUS_RECONNECT_MIN_MS</c> and <c>DECNET_BUS_RECONNECT_MAX_MS</c> (1 ms to a minute, the cap not below the
/// first delay). Options built in code skip the validator: a zero delay made the reconnect loop spin on a core, and a
/// negative one made its wait throw, which ended the loop for good.
/// </summary>
internal readonly record struct ReconnectDelays(TimeSpan Min, TimeSpan Max)
{
    private static readonly TimeSpan _floor = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan _ceiling = TimeSpan.FromMilliseconds(DecnetBusOptionsValidator.MaxReconnectMs);

    /// <summary>
    /// The bounds of <paramref name="options"/>, each within 1 ms and a minute, the cap raised to the first delay.
    /// </summary>
    public static ReconnectDelays Of(DecnetBusOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var min = Clamp(options.ReconnectMinDelay);
        var max = Clamp(options.ReconnectMaxDelay);
        return new ReconnectDelays(min, max < min ? min : max);
    }

    /// <summary>The delay after <paramref name="delay"/>: doubled, at most <see cref="Max"/>.</summary>
    public TimeSpan Next(TimeSpan delay) => TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, Max.Ticks));

    private static TimeSpan Clamp(TimeSpan delay) => delay < _floor ? _floor : delay > _ceiling ? _ceiling : delay;
}
