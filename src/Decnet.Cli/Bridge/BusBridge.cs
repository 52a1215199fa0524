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
/// dropped and counted. The bridge owns both clients: once <see cref="DisposeAsync"/> returns they are disposed too,
/// and <see cref="Stats"/> holds what was lost in the shutdown (see <see cref="Abandoned"/>).
/// </remarks>
internal sealed class BusBridge : IAsyncDisposable
{
    // A host's own topics (heartbeats, worker control): forwarded only by a pattern that names them.
    private const string _systemPrefix = Topics.System + ".";


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
    private long _exportsTaken;
    private long _importsTaken;
    private long _exportsAbandoned;
    private long _importsAbandoned;
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
                (nats.Counters.Dropped - importQueueDrops) + exportQueueDrops + Interlocked.Read(ref _exportRefused) + Interlocked.Read(ref _exportsAbandoned),
                (_local.Counters.Dropped - exportQueueDrops) + importQueueDrops + Interlocked.Read(ref _importRefused) + nats.Rejected + Interlocked.Read(ref _importsAbandoned),
                Interlocked.Read(ref _loopsBlocked),
                Interlocked.Read(ref _hopLimited),
                Math.Max(0, _local.Generation - 1),
                nats.Reconnects);
        }
    }

    /// <summary>
    /// Events the bridge had received but not yet forwarded when it stopped (each way): a disposed subscription discards
    /// its queue. Known once <see cref="DisposeAsync"/> has returned, and counted in the dropped counters of
    /// <see cref="Stats"/>.
    /// </summary>
    public (long Exports, long Imports) Abandoned => (Interlocked.Read(ref _exportsAbandoned), Interlocked.Read(ref _importsAbandoned));

    /// <summary>
    /// Exports the NATS client had taken and could not flush within its 1 s bound when the bridge stopped (no PONG
    /// confirmed them; see <see cref="NatsBus.DisposeAsync"/>). Known once <see cref="DisposeAsync"/> has returned, and
    /// counted in <see cref="BridgeStats.ExportDropped"/>.
    /// </summary>
    public long UnflushedExports => _nats.UnflushedAtClose;

    /// <summary>Events the export subscriptions received (queued, dropped or taken), for tests.</summary>
    internal long ExportsReceived => _exports.Sum(s => s.Received);

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
            if (IsOpen(pattern))
            {
                // Allowed (a test rig may want it), but never silently: deploy/decnet-bridge.service imports 'host.>'.
                var mutations = CanMatchMutationRequests(pattern) ? ", decky.*.mutate_request included" : string.Empty;
                BridgeLog.OpenImport(_logger, UntrustedText.Escape(pattern), mutations);
            }

            var keepsSystem = IsSystem(pattern);
            var subscription = await _nats.SubscribeFilteredAsync(pattern, queue, (evt, headers) => Admit(evt, headers, keepsSystem), cancellationToken).ConfigureAwait(false);
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

        // A disposed subscription receives nothing more and discards what it held: what it received, less what it
        // dropped (counted already) and what the pumps took, was never forwarded.
        Interlocked.Exchange(ref _exportsAbandoned, Unforwarded(_exports, Interlocked.Read(ref _exportsTaken)));
        Interlocked.Exchange(ref _importsAbandoned, Unforwarded(_imports, Interlocked.Read(ref _importsTaken)));
        _stop.Dispose();

        // The clients last: what they lose while closing (exports the NATS client could not flush in its bound, imports
        // still in the UNIX client's outbox) is counted by them as they close, so Stats is final after this.
        await _nats.DisposeAsync().ConfigureAwait(false);
        await _local.DisposeAsync().ConfigureAwait(false);
    }

    private static long Unforwarded(List<IBusSubscription> subscriptions, long taken)
        => Math.Max(0, subscriptions.Sum(s => s.Received - s.Dropped) - taken);

    /// <summary>
    /// Whether a topic is in the <c>system</c> family, or a pattern names it itself (<c>system.&gt;</c>,
    /// <c>system.*.health</c>): only such a pattern forwards a host's heartbeats and worker control, which <c>&gt;</c>
    /// or <c>*.bus.health</c> would otherwise send to, or take from, every other host.
    /// </summary>
    private static bool IsSystem(string topicOrPattern) => topicOrPattern.StartsWith(_systemPrefix, StringComparison.Ordinal);

    /// <summary>
    /// Whether an import pattern is not confined to other hosts' prefixes: its first token is a wildcard, or one of the
    /// families a DECNET host's workers act on (<c>system</c> included: heartbeats and worker control), so it brings
    /// those topics in as any NATS publisher sends them.
    /// </summary>
    private static bool IsOpen(string pattern)
    {
        var first = pattern.AsSpan(0, pattern.IndexOf('.') is var dot and >= 0 ? dot : pattern.Length);
        return first is "*" or ">" or "decky" or "attacker" or "topology" or Topics.System;
    }

    /// <summary>
    /// Whether some <c>decky.ID.mutate_request</c>, the topic that drives this host's mutations, matches
    /// <paramref name="pattern"/>: its tokens intersect <c>decky.*.mutate_request</c>, whatever decky it names.
    /// </summary>
    private static bool CanMatchMutationRequests(string pattern)
    {
        string[] wanted = ["decky", "*", "mutate_request"];
        var tokens = pattern.Split('.');
        for (var i = 0; i < tokens.Length; i++)
        {
            if (tokens[i] == ">")
            {
                return true;
            }

            if (i == wanted.Length || (tokens[i] != "*" && wanted[i] != "*" && tokens[i] != wanted[i]))
            {
                return false;
            }
        }

        return tokens.Length == wanted.Length;
    }

    private async Task ExportAsync(IBusSubscription subscription)
    {
        var keepsSystem = IsSystem(subscription.Pattern);
        // The enumeration ends when the subscription is disposed (DisposeAsync does that first).
        await foreach (var evt in ((IAsyncEnumerable<BusEvent>)subscription).ConfigureAwait(false))
        {
            Interlocked.Increment(ref _exportsTaken);
            if (!keepsSystem && IsSystem(evt.Topic))
            {
                continue;
            }

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
                await _nats.PublishEventAsync(outgoing, BridgeHeaders.Create(_options.BridgeId, hops: 1, _options.SendSource ? evt.Publisher : null), _stop.Token).ConfigureAwait(false);
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
                // The stop ended the wait, not the publish: the NATS client still sends the event or counts it dropped.
                Count(ref _exported);
                return;
            }
        }
    }

    /// <summary>Runs on the NATS reader for each message of an import subscription: the loop guard.</summary>
    private bool Admit(BusEvent evt, System.Buffers.ReadOnlySequence<byte>? rawHeaders, bool keepsSystem)
    {
        // Would pass for this host's own heartbeat or control request (a worker acts on system.{worker}.control).
        if (!keepsSystem && IsSystem(evt.Topic))
        {
            return false;
        }

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
            Interlocked.Increment(ref _importsTaken);
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
