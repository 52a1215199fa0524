using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace Decnet.Bus;

/// <summary>Publishing for workers that must never fail because of the bus.</summary>
public static partial class BusPublishExtensions
{
    // Failure kinds already logged, per bus instance: a worker publishing every second to a dead bus logs once, not
    // forever. Weak keys so a disposed bus does not keep its entry alive.
    private static readonly ConditionalWeakTable<IBus, ConcurrentDictionary<string, bool>> _logged = [];

    /// <summary>
    /// Publishes like <see cref="IBus.PublishAsync{TPayload}"/> but never throws for anything that happens while
    /// publishing: it returns false instead. The first failure of each kind on a bus is logged (an invalid topic or
    /// payload as an error, since it is a bug at the call site; a disposed bus or a transport fault as a warning);
    /// repeats are logged at debug level.
    /// <para>
    /// <paramref name="cancellationToken"/> cancels only a wait for local buffer space, as in
    /// <see cref="IBus.PublishAsync{TPayload}"/>: the event is queued before any such wait. A cancelled token therefore
    /// does not stop a publish that need not wait (it is sent and true is returned), and false after a cancellation,
    /// returned silently, means the wait was abandoned while the event may still be sent: do not publish it again on
    /// that false, or it may go out twice.
    /// </para>
    /// </summary>
    /// <returns>
    /// True when the bus accepted the event (which, being at-most-once, still does not promise delivery); false when it
    /// refused or failed it, or when the caller's cancellation ended the wait (then it may still be sent).
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="bus"/> or <paramref name="logger"/> is null.</exception>
    public static async ValueTask<bool> PublishSafeAsync<TPayload>(
        this IBus bus,
        string topic,
        TPayload payload,
        ILogger logger,
        string? type = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bus);
        ArgumentNullException.ThrowIfNull(logger);
        try
        {
            await bus.PublishAsync(topic, payload, type, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        catch (ArgumentException ex)
        {
            if (IsFirst(bus, "invalid"))
            {
                LogInvalidPublish(logger, ex, topic);
            }
            else
            {
                LogRepeatedFailure(logger, ex, topic);
            }

            return false;
        }
        catch (ObjectDisposedException ex)
        {
            if (IsFirst(bus, "disposed"))
            {
                LogDisposed(logger, topic);
            }
            else
            {
                LogRepeatedFailure(logger, ex, topic);
            }

            return false;
        }
#pragma warning disable CA1031 // The whole point of this method is that a transport fault never reaches the worker.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            if (IsFirst(bus, ex.GetType().FullName ?? "other"))
            {
                LogTransportFault(logger, ex, topic);
            }
            else
            {
                LogRepeatedFailure(logger, ex, topic);
            }

            return false;
        }
    }

    private static bool IsFirst(IBus bus, string kind) => _logged.GetOrCreateValue(bus).TryAdd(kind, true);

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Bus publish to {Topic} rejected: the topic or payload is invalid (a bug in the caller). Further failures of this kind are logged at debug level.")]
    private static partial void LogInvalidPublish(ILogger logger, Exception exception, string topic);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Bus publish to {Topic} skipped: the bus is disposed. Further failures of this kind are logged at debug level.")]
    private static partial void LogDisposed(ILogger logger, string topic);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Bus publish to {Topic} failed in the transport; the event is lost (consumers fall back to polling). Further failures of this kind are logged at debug level.")]
    private static partial void LogTransportFault(ILogger logger, Exception exception, string topic);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Bus publish to {Topic} failed again")]
    private static partial void LogRepeatedFailure(ILogger logger, Exception exception, string topic);
}
