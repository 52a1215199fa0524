using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Decnet.Bus.Unix;

/// <summary>
/// The host's bus broker: owns the UNIX socket (mode 0660, group <see cref="DecnetBusOptions.Group"/>), accepts
/// clients, routes PUB frames to matching subscriptions without decoding payloads, and publishes a heartbeat on
/// <c>system.bus.health</c>. Start it as a hosted service (<c>AddDecnetBusBroker()</c>) or directly.
/// </summary>
public sealed partial class BusServer : IHostedService, IAsyncDisposable
{
    private readonly DecnetBusOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    /// <summary>Creates the broker; nothing is bound until <see cref="StartAsync"/>.</summary>
    public BusServer(IOptions<DecnetBusOptions> options, ILogger<BusServer>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The socket path this broker owns (or will own once started).</summary>
    public string SocketPath => _options.SocketPath;

    /// <summary>Current counters and connection rows (what a STATS frame returns).</summary>
    public BrokerStats GetStats() => throw new NotImplementedException();

    /// <summary>
    /// Binds the socket and starts accepting. Returns once clients can connect.
    /// </summary>
    /// <exception cref="BusStartupException">Another broker answers on the path, the path is not a socket, or its directory is missing.</exception>
    public Task StartAsync(CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <summary>Sends BYE to every client, flushes within a bound, closes them and removes the socket file.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => throw new NotImplementedException();
}
