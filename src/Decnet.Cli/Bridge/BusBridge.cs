using Decnet.Bus;
using Decnet.Bus.Nats;
using Decnet.Bus.Unix;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Decnet.Cli.Bridge;

/// <summary>
/// Forwards between a host's local bus and NATS: local events matching an export pattern go to NATS (under the
/// optional prefix), NATS messages matching an import pattern are re-published locally with their envelope intact.
/// </summary>
/// <remarks>
/// No loops (docs/cross-host.md): both connections have echo off, so the bridge never receives what it published
/// itself; it remembers the ids it forwarded each way (ids are preserved end to end) and never forwards one back or
/// twice; NATS messages carry the origin bridge and a hop count, and a message past the hop limit is refused. Both
/// clients reconnect by themselves; nothing here waits on either side, and every event that cannot be forwarded is
/// dropped and counted.
/// </remarks>
internal sealed class BusBridge : IAsyncDisposable
{
    private readonly UnixSocketBus _local;
    private readonly NatsBus _nats;
    private readonly BridgeOptions _options;
    private readonly ILogger _logger;
    private readonly RecentIds _exportedIds;
    private readonly RecentIds _importedIds;
    private readonly List<IBusSubscription> _exports = [];
    private readonly List<IBusSubscription> _imports = [];
    private readonly List<Task> _pumps = [];
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _exported;
    private long _imported;
    private long _exportRefused;
    private long _importRefused;
    private long _loopsBlocked;
    private long _hopLimited;
    private int _disposed;

    public BusBridge(UnixSocketBus local, NatsBus nats, BridgeOptions options, ILogger? logger = null)
    {
        _local = local;
        _nats = nats;
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _exportedIds = new RecentIds(options.RememberedIds);
        _importedIds = new RecentIds(options.RememberedIds);
    }

    public string BridgeId => _options.BridgeId;

    /// <summary>Current counters (see <see cref="BridgeStats"/>).</summary>
    public BridgeStats Stats
    {
        get
        {
            var exportQueueDrops = _exports.Sum(s => s.Dropped);
            var importQueueDrops = _imports.Sum(s => s.Dropped);
            var nats = _nats.GetStats();

            // Every NATS subscription of the bridge imports: a message its client rejected (not a valid envelope) is
            // an import lost.
            return new BridgeStats(
                Interlocked.Read(ref _exported),
                Interlocked.Read(ref _imported),
                (nats.Counters.Dropped - importQueueDrops) + exportQueueDrops + Interlocked.Read(ref _exportRefused),
                (_local.Counters.Dropped - exportQueueDrops) + importQueueDrops + Interlocked.Read(ref _importRefused) + nats.Rejected,
                Interlocked.Read(ref _loopsBlocked),
                Interlocked.Read(ref _hopLimited),
                Math.Max(0, _local.Generation - 1),
                nats.Reconnects);
        }
    }

    /// <summary>Completes at the next counter change (tests wait on it instead of polling).</summary>
    internal Task Changed => Volatile.Read(ref _changed).Task;

    /// <summary>Subscribes both sides (each subscription live on return when its side is up) and starts forwarding.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var queue = new SubscriptionOptions { QueueSize = _options.QueueSize };
        foreach (var pattern in _options.Export)
        {
            var subscription = await _local.SubscribeAsync(pattern, queue, cancellationToken).ConfigureAwait(false);
            _exports.Add(subscription);
            _pumps.Add(Task.Run(() => ExportAsync(subscription), CancellationToken.None));
        }

        foreach (var pattern in _options.Import)
        {
            var subscription = await _nats.SubscribeFilteredAsync(pattern, queue, Admit, cancellationToken).ConfigureAwait(false);
            _imports.Add(subscription);
            _pumps.Add(Task.Run(() => ImportAsync(subscription), CancellationToken.None));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var subscription in _exports.Concat(_imports))
        {
            await subscription.DisposeAsync().ConfigureAwait(false);
        }

        await Task.WhenAll(_pumps).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task ExportAsync(IBusSubscription subscription)
    {
        // The enumeration ends when the subscription is disposed (DisposeAsync does that first).
        await foreach (var evt in ((IAsyncEnumerable<BusEvent>)subscription).ConfigureAwait(false))
        {
            // An event this bridge imported (another local client re-published it, or an overlapping pattern) or
            // already exported is never sent out again.
            if (_importedIds.Contains(evt.Id) || !_exportedIds.Add(evt.Id))
            {
                Count(ref _loopsBlocked);
                continue;
            }

            var subject = _options.Prefix.Length == 0 ? evt.Topic : $"{_options.Prefix}.{evt.Topic}";
            try
            {
                var outgoing = new BusEvent(subject, evt.Payload, evt.Type, evt.Id, evt.Timestamp, evt.Version) { TraceParent = evt.TraceParent, TraceState = evt.TraceState };
                await _nats.PublishEventAsync(outgoing, BridgeHeaders.Create(_options.BridgeId, hops: 1, evt.Publisher), _stop.Token).ConfigureAwait(false);
                Count(ref _exported);
            }
            catch (ArgumentException ex)
            {
                // Too long with the prefix, or larger than the server takes: lost for NATS, counted, logged.
                Count(ref _exportRefused);
                BridgeLog.Refused(_logger, "export", UntrustedText.Escape(subject), UntrustedText.Excerpt(ex.Message, 1024));
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>Runs on the NATS reader for each message of an import subscription: the loop guard.</summary>
    private bool Admit(BusEvent evt, System.Buffers.ReadOnlySequence<byte>? rawHeaders)
    {
        var headers = _nats.ParseHeaders(rawHeaders);
        if (string.Equals(BridgeHeaders.ReadOrigin(headers), _options.BridgeId, StringComparison.Ordinal) || _exportedIds.Contains(evt.Id))
        {
            Count(ref _loopsBlocked);
            return false;
        }

        if (BridgeHeaders.ReadHops(headers) >= _options.HopLimit)
        {
            Count(ref _hopLimited);
            return false;
        }

        if (!_importedIds.Add(evt.Id))
        {
            Count(ref _loopsBlocked);
            return false;
        }

        return true;
    }

    private async Task ImportAsync(IBusSubscription subscription)
    {
        await foreach (var evt in ((IAsyncEnumerable<BusEvent>)subscription).ConfigureAwait(false))
        {
            try
            {
                await _local.ForwardAsync(evt).ConfigureAwait(false);
                Count(ref _imported);
            }
            catch (ArgumentException ex)
            {
                Count(ref _importRefused);
                BridgeLog.Refused(_logger, "import", UntrustedText.Escape(evt.Topic), UntrustedText.Excerpt(ex.Message, 1024));
            }
        }
    }

    private void Count(ref long counter)
    {
        Interlocked.Increment(ref counter);
        var changed = Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        changed.TrySetResult();
    }
}
