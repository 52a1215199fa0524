using Decnet.Bus.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Decnet.Bus.Unix;

/// <summary>
/// A client of the host's broker over its UNIX socket. Connects lazily on first use, reconnects with capped
/// exponential backoff and re-subscribes by itself; publishing never blocks on the broker and never throws because
/// it is down (such events are dropped and counted).
/// </summary>
public sealed partial class UnixSocketBus : IBus
{
    private readonly DecnetBusOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly BusCounterSet _counters = new(DecnetBusOptions.UnixTransport);

    /// <summary>Creates a client for <paramref name="options"/>'s socket; nothing connects until first use.</summary>
    public UnixSocketBus(DecnetBusOptions options, ILogger<UnixSocketBus>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The broker's socket path.</summary>
    public string SocketPath => _options.SocketPath;

    /// <summary>True while a handshaken connection to the broker is up.</summary>
    public bool IsConnected => throw new NotImplementedException();

    /// <inheritdoc />
    public BusCounters Counters => _counters.Snapshot;

    /// <summary>
    /// Creates a client and connects it now (for the CLI, which must tell "no broker" apart quickly). The returned
    /// client then behaves like any other: it reconnects by itself if the broker goes away later.
    /// </summary>
    /// <exception cref="BusUnavailableException">No broker answered on the socket path.</exception>
    public static Task<UnixSocketBus> ConnectAsync(DecnetBusOptions options, CancellationToken cancellationToken = default)
        => throw new NotImplementedException();

    /// <summary>Fetches the broker's counters and per-connection rows over this client's connection.</summary>
    /// <exception cref="BusUnavailableException">The broker cannot be reached.</exception>
    public Task<BrokerStats> GetBrokerStatsAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <inheritdoc />
    public ValueTask PublishAsync<TPayload>(string topic, TPayload payload, string? type = null, CancellationToken cancellationToken = default)
        => throw new NotImplementedException();

    /// <inheritdoc />
    /// <remarks>
    /// Waits up to a bound for the broker; if it is down the subscription is returned anyway and goes live as soon as
    /// a connection is made (no exception because the bus is down).
    /// </remarks>
    public ValueTask<IBusSubscription> SubscribeAsync(string pattern, SubscriptionOptions? options = null, CancellationToken cancellationToken = default)
        => throw new NotImplementedException();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => throw new NotImplementedException();
}
