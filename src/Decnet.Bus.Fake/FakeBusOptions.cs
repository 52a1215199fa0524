using Microsoft.Extensions.Logging;

namespace Decnet.Bus.Fake;

/// <summary>Settings of one <see cref="FakeBus"/> client.</summary>
public sealed class FakeBusOptions
{
    /// <summary>
    /// Whether subscriptions of this instance receive events published through this same instance (default true,
    /// like the real transport). Events from other instances on the same <see cref="Network"/> always arrive.
    /// </summary>
    public bool Echo { get; set; } = true;

    /// <summary>A name for diagnostics (shown in wait-timeout messages).</summary>
    public string ClientName { get; set; } = "fake";

    /// <summary>
    /// The simulated broker host this client joins. Null gives the client a network of its own; share one instance
    /// between several <see cref="FakeBus"/> objects to simulate several clients of one broker.
    /// </summary>
    public FakeBusNetwork? Network { get; set; }

    /// <summary>Queue capacity of subscriptions created without <see cref="SubscriptionOptions"/>.</summary>
    public int QueueSize { get; set; } = SubscriptionOptions.DefaultQueueSize;

    /// <summary>
    /// Longest topic or pattern in UTF-8 bytes, as <see cref="DecnetBusOptions.MaxTopicBytes"/> (default 256, like
    /// <c>DECNET_BUS_MAX_TOPIC_BYTES</c>): longer ones throw <see cref="ArgumentException"/>, as on the real transports.
    /// </summary>
    public int MaxTopicBytes { get; set; } = DecnetBusOptions.DefaultMaxTopicBytes;

    /// <summary>
    /// Most tokens in a pattern, as <see cref="DecnetBusOptions.MaxPatternTokens"/> (default 32, like
    /// <c>DECNET_BUS_MAX_PATTERN_TOKENS</c>): more throw <see cref="BusSubscriptionRejectedException"/> (code 4).
    /// </summary>
    public int MaxPatternTokens { get; set; } = DecnetBusOptions.DefaultMaxPatternTokens;

    /// <summary>
    /// Largest event, as <see cref="DecnetBusOptions.MaxFrameBytes"/> (default 1 MiB, like <c>DECNET_BUS_MAX_FRAME_BYTES</c>):
    /// an event whose encoded envelope (<see cref="Codec.BusCodec.SerializeEnvelope"/>) is longer throws
    /// <see cref="ArgumentException"/>, as on the real transports, whose framing adds a few dozen bytes more.
    /// </summary>
    public int MaxFrameBytes { get; set; } = DecnetBusOptions.DefaultMaxFrameBytes;

    /// <summary>Default of <see cref="MaxRecordedEvents"/>.</summary>
    public const int DefaultMaxRecordedEvents = 10_000;

    /// <summary>
    /// How many publishes <see cref="FakeBus.Published"/> keeps (default 10,000; zero keeps none). Beyond it the oldest
    /// record goes and <see cref="FakeBus.DroppedFromRecord"/> counts it; with <see cref="MaxRecordedBytes"/>, this
    /// bounds what a host left running on <c>DECNET_BUS_TYPE=fake</c> keeps. Waits still see every live publish.
    /// </summary>
    public int MaxRecordedEvents { get; set; } = DefaultMaxRecordedEvents;

    /// <summary>Default of <see cref="MaxRecordedBytes"/> (64 MiB).</summary>
    public const long DefaultMaxRecordedBytes = 64L * 1024 * 1024;

    /// <summary>
    /// Most payload bytes <see cref="FakeBus.Published"/> keeps (default 64 MiB; zero keeps none): the count cap alone
    /// let 10,000 events of 1 MiB hold 10 GiB. Beyond it the oldest records go, counted in
    /// <see cref="FakeBus.DroppedFromRecord"/> as for <see cref="MaxRecordedEvents"/>; an event larger than the cap is
    /// not kept at all. Waits still see every live publish.
    /// </summary>
    public long MaxRecordedBytes { get; set; } = DefaultMaxRecordedBytes;

    /// <summary>Clock used for envelope timestamps (<c>ts</c>). Wait timeouts always use real time.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Where a handler that throws is logged (warning), as on the real transports; null (the default) logs nothing.
    /// <c>AddDecnetBus()</c> passes the container's.
    /// </summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>How long <see cref="FakeBus.WaitForAsync"/> waits when the caller passes no timeout.</summary>
    public TimeSpan DefaultWaitTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
