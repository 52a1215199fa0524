using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Decnet.Bus;

/// <summary>
/// Subscribes to <c>system.{worker}.control</c> and hands each valid <c>stop</c>/<c>start</c> request to a callback,
/// one at a time in arrival order. Malformed payloads are logged and ignored: the first of each kind (the payload,
/// <c>action</c> or <c>requested_by</c> at fault) as a warning, the rest at debug level, since any publisher on the
/// topic can send them. A callback that throws is logged and the listener keeps going. What the publisher wrote
/// reaches the log as an <see cref="UntrustedText.Excerpt"/>: escaped and bounded. Register it with
/// <c>AddDecnetWorkerControl</c>.
/// </summary>
public sealed partial class BusControlListener : BackgroundService
{
    // The bound the broker and the bridge quote a reason with (BrokerLog, BusBridge).
    private const int _maxReasonChars = 1024;

    private readonly IBus _bus;
    private readonly Func<WorkerControlRequest, CancellationToken, ValueTask> _handler;
    private readonly ILogger _logger;

    // Malformed-event kinds already logged as a warning. Events are handled one at a time, so no lock.
    private readonly HashSet<string> _malformedLogged = new(StringComparer.Ordinal);

    /// <summary>Creates the listener.</summary>
    /// <param name="bus">The bus to listen on.</param>
    /// <param name="worker">The worker name; one topic token.</param>
    /// <param name="handler">Called for each valid request.</param>
    /// <param name="logger">Where malformed requests and callback failures are logged.</param>
    /// <exception cref="ArgumentException"><paramref name="worker"/> is not a valid topic segment.</exception>
    public BusControlListener(IBus bus, string worker, Func<WorkerControlRequest, CancellationToken, ValueTask> handler, ILogger<BusControlListener> logger)
    {
        ArgumentNullException.ThrowIfNull(bus);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(logger);
        Topic = Topics.SystemWorkerControl(worker);
        Worker = worker;
        _bus = bus;
        _handler = handler;
        _logger = logger;
    }

    /// <summary>The worker name.</summary>
    public string Worker { get; }

    /// <summary>The topic listened on.</summary>
    public string Topic { get; }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var subscription = await _bus.SubscribeAsync(Topic, options: null, stoppingToken).ConfigureAwait(false);
            await using (((IAsyncDisposable)subscription).ConfigureAwait(false))
            {
                await foreach (var evt in subscription.WithCancellation(stoppingToken).ConfigureAwait(false))
                {
                    await HandleAsync(evt, stoppingToken).ConfigureAwait(false);
                }
            }

            LogEnded(_logger, Topic);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutdown.
        }
        catch (ObjectDisposedException)
        {
            // The bus went away first (container shutdown order); nothing left to listen to.
            LogEnded(_logger, Topic);
        }
    }

    private async ValueTask HandleAsync(BusEvent evt, CancellationToken stoppingToken)
    {
        if (!WorkerControlRequest.TryParse(Worker, evt, out var request, out var error, out var field))
        {
            // The id and the reason quote what the publisher sent: excerpts, so they can neither forge a log line nor
            // choose its size.
            var id = UntrustedText.Excerpt(evt.Id);
            var reason = UntrustedText.Excerpt(error, _maxReasonChars);
            if (_malformedLogged.Add(field))
            {
                LogMalformed(_logger, UntrustedText.Escape(evt.Topic), id, reason);
            }
            else
            {
                LogMalformedAgain(_logger, UntrustedText.Escape(evt.Topic), id, reason);
            }

            return;
        }

        try
        {
            await _handler(request, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // One failing request must not stop the worker from hearing the next one.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogHandlerFailed(_logger, ex, request.Action, Worker, UntrustedText.Excerpt(request.RequestedBy));
        }
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "Ignoring malformed control event {EventId} on {Topic}: {Reason}. Further events malformed the same way are logged at debug level.")]
    private static partial void LogMalformed(ILogger logger, string topic, string eventId, string reason);

    [LoggerMessage(EventId = 23, Level = LogLevel.Debug, Message = "Ignoring malformed control event {EventId} on {Topic}: {Reason}")]
    private static partial void LogMalformedAgain(ILogger logger, string topic, string eventId, string reason);

    [LoggerMessage(EventId = 21, Level = LogLevel.Error, Message = "Control handler failed for {Action} on worker {Worker} (requested by {RequestedBy})")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, WorkerControlAction action, string worker, string requestedBy);

    [LoggerMessage(EventId = 22, Level = LogLevel.Information, Message = "Control subscription on {Topic} ended (bus disabled or disposed)")]
    private static partial void LogEnded(ILogger logger, string topic);
}
