using Decnet.Bus;
using Decnet.Mutator.Events;
using Microsoft.Extensions.Options;

namespace Decnet.Samples.WorkerService;

/// <summary>
/// Subscribes to decky mutations and records each one. Events are hints that the database changed (at-most-once):
/// a real worker re-reads what it needs instead of trusting the payload as the whole truth.
/// </summary>
public sealed partial class MutationWatcher(
    IBus bus,
    MutationEventEmitter emitter,
    MutationTally tally,
    IOptions<WatcherOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<MutationWatcher> logger) : BackgroundService
{
    private readonly WatcherOptions _options = options.Value;
    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the subscription is live (a readiness signal for health checks and tests).</summary>
    public Task Subscribed => _subscribed.Task;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Live when this returns: anything published from now on reaches the subscription.
        await using var subscription = await bus.SubscribeAsync(_options.Pattern, cancellationToken: stoppingToken);
        LogSubscribed(logger, _options.Pattern);
        _subscribed.TrySetResult();

        if (_options.EmitDecky is { Length: > 0 } decky)
        {
            var result = await emitter.EmitAsync(decky, ["ssh"], ["ssh", "http"], MutationTrigger.Operator, "sample", stoppingToken);
            LogEmitted(logger, decky, result.Written, result.Published);
        }

        await foreach (var busEvent in subscription.WithCancellation(stoppingToken))
        {
            var notice = MutationNotice.FromEvent(busEvent);
            var count = tally.Record(notice);
            LogMutation(logger, notice.Decky, string.Join(',', notice.OldServices), string.Join(',', notice.NewServices), notice.Trigger);
            if (_options.ExitAfter > 0 && count >= _options.ExitAfter)
            {
                lifetime.StopApplication();
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "watching {Pattern}")]
    private static partial void LogSubscribed(ILogger logger, string pattern);

    [LoggerMessage(Level = LogLevel.Information, Message = "emitted a mutation of {Decky}: written={Written} published={Published}")]
    private static partial void LogEmitted(ILogger logger, string decky, bool written, bool published);

    [LoggerMessage(Level = LogLevel.Information, Message = "decky {Decky} mutated: {Old} -> {New} ({Trigger})")]
    private static partial void LogMutation(ILogger logger, string decky, string old, string @new, string trigger);
}
