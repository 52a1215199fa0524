using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Decnet.Bus;

/// <summary>
/// Publishes <see cref="WorkerHealth"/> on <c>system.{worker}.health</c> at start and then every interval, on a
/// <see cref="PeriodicTimer"/> driven by the injected <see cref="TimeProvider"/> (so tests control the clock).
/// Publishing goes through <see cref="BusPublishExtensions.PublishSafeAsync{TPayload}"/>: a missing broker never stops
/// the worker. Register it with <c>AddDecnetWorkerHeartbeat</c>.
/// </summary>
public sealed partial class BusHeartbeatService : BackgroundService
{
    // The longest period a PeriodicTimer takes (uint.MaxValue - 1 ms).
    private static readonly TimeSpan _maxTimerPeriod = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private readonly IBus _bus;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates the service.</summary>
    /// <param name="bus">The bus to publish on.</param>
    /// <param name="worker">The worker name; one topic token.</param>
    /// <param name="interval">The heartbeat period, at least 1 ms; zero or negative disables the heartbeat.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="logger">Where publish failures are logged.</param>
    /// <exception cref="ArgumentException"><paramref name="worker"/> is not a valid topic segment.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="interval"/> is positive but shorter than 1 ms or longer than a <see cref="PeriodicTimer"/> takes (~49.7 days).
    /// </exception>
    public BusHeartbeatService(IBus bus, string worker, TimeSpan interval, TimeProvider timeProvider, ILogger<BusHeartbeatService> logger)
    {
        ArgumentNullException.ThrowIfNull(bus);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        if (interval > TimeSpan.Zero && (interval < DecnetBusOptionsValidator.MinHeartbeat || interval > _maxTimerPeriod))
        {
            // Refused here rather than by the PeriodicTimer in ExecuteAsync, whose exception would stop the host.
            throw new ArgumentOutOfRangeException(nameof(interval), interval, $"A heartbeat interval must be zero (disabled) or {DecnetBusOptionsValidator.MinHeartbeat.TotalMilliseconds} ms to {_maxTimerPeriod.TotalDays:0.#} days.");
        }

        Topic = Topics.SystemWorkerHealth(worker);
        Worker = worker;
        Interval = interval;
        _bus = bus;
        _time = timeProvider;
        _logger = logger;
    }

    /// <summary>The worker name.</summary>
    public string Worker { get; }

    /// <summary>The topic heartbeats go to.</summary>
    public string Topic { get; }

    /// <summary>The heartbeat period; zero disables.</summary>
    public TimeSpan Interval { get; }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (Interval <= TimeSpan.Zero)
        {
            LogDisabled(_logger, Worker);
            return;
        }

        var started = _time.GetTimestamp();

        // Create the timer before the first publish: a test (or a slow start) that advances the clock right after
        // seeing the first heartbeat must not lose the tick.
        using var timer = new PeriodicTimer(Interval, _time);
        try
        {
            do
            {
                var health = new WorkerHealth
                {
                    Worker = Worker,
                    Timestamp = _time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0,
                    ProcessId = Environment.ProcessId,
                    UptimeSeconds = _time.GetElapsedTime(started).TotalSeconds,
                };
                await _bus.PublishSafeAsync(Topic, health, _logger, "health", stoppingToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutdown.
        }
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Heartbeat for worker {Worker} is disabled (interval 0)")]
    private static partial void LogDisabled(ILogger logger, string worker);
}
