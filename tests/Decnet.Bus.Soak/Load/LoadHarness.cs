using System.Diagnostics;
using Decnet.Bus.Unix;

namespace Decnet.Bus.Soak.Load;

/// <summary>
/// Publishers and subscribers (real <see cref="UnixSocketBus"/> clients, one connection each) running against the
/// broker on one socket path, across broker restarts. Publishers run continuously; the harness pauses them for a
/// barrier and accounts each broker lifetime ("epoch"): exactly when it ends gracefully, as a bound when killed.
/// </summary>
/// <remarks>
/// Topics are <c>acct.p{i}.{x|y|z}</c>, one per publisher, so a publisher's broker row (<c>published</c>) is exactly
/// the count for its topic even when its client dropped some publishes. Patterns overlap: <c>&gt;</c>,
/// <c>acct.&gt;</c>, <c>acct.*.x</c>, <c>acct.*.y</c>, <c>*.*.z</c>, <c>acct.p{k}.*</c> and one literal topic.
/// </remarks>
public sealed partial class LoadHarness : IAsyncDisposable
{
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(30);
    private readonly LoadPublisher[] _publishers;
    private readonly List<LoadSubscriber> _subscribers = [];
    private readonly PublisherGate _gate;
    private readonly string _socketPath;
    private EpochBaseline _baseline;
    private (int Epoch, ClientCounts Counts)? _balanced;
    private PreKillSnapshot? _preKill;

    private LoadHarness(string socketPath, LoadOptions options)
    {
        _socketPath = socketPath;
        Options = options;
        _gate = new PublisherGate(options.Publishers);
        _publishers = new LoadPublisher[options.Publishers];
        for (var i = 0; i < options.Publishers; i++)
        {
            _publishers[i] = new LoadPublisher(ClientOptions($"pub-{i}", 1024), i, TopicOf(i), options.RatePerPublisher, _gate);
        }

        _baseline = EpochBaseline.Zero(options.Publishers, options.Subscribers);
    }

    /// <summary>The load's shape.</summary>
    public LoadOptions Options { get; }

    /// <summary>The publishers.</summary>
    public IReadOnlyList<LoadPublisher> Publishers => _publishers;

    /// <summary>The subscribers.</summary>
    public IReadOnlyList<LoadSubscriber> Subscribers => _subscribers;

    /// <summary>The topic publisher <paramref name="index"/> publishes on.</summary>
    public static string TopicOf(int index) => $"acct.p{index}.{"xyz"[index % 3]}";

    /// <summary>The pattern subscriber <paramref name="index"/> holds (every one matches at least one publisher).</summary>
    public static string PatternOf(int index, int publishers) => (index % 7) switch
    {
        0 => ">",
        1 => "acct.>",
        2 => "acct.*.x",
        3 => "acct.*.y",
        4 => "*.*.z",
        5 => $"acct.p{index % publishers}.*",
        _ => TopicOf(index % publishers),
    };

    /// <summary>
    /// Subscribes every subscriber (the broker must be up, so each returns after its SUBACK) and starts the
    /// publishers. Subscriber broker queues are 16 to 256 events, so bursts overflow the small ones.
    /// </summary>
    public static async Task<LoadHarness> StartAsync(string socketPath, LoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var harness = new LoadHarness(socketPath, options);
        var topics = Enumerable.Range(0, options.Publishers).ToDictionary(TopicOf, i => i, StringComparer.Ordinal);
        try
        {
            for (var i = 0; i < options.Subscribers; i++)
            {
                var laggard = options.LaggardEvery > 0 && i % options.LaggardEvery == options.LaggardEvery - 1;
                var subscriber = await LoadSubscriber.StartAsync(harness.ClientOptions($"sub-{i}", 16 << (i % 5)), PatternOf(i, options.Publishers), laggard, topics);
                harness._subscribers.Add(subscriber);
            }

            harness.BeginEpoch();
            foreach (var publisher in harness._publishers)
            {
                publisher.Start();
            }

            return harness;
        }
        catch
        {
            await harness.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Starts counting a new broker lifetime. Call it only when the clients are quiet (<see cref="QuietAsync"/>: no
    /// connection, queues empty) and before the broker starts, so every count after it belongs to the new broker.
    /// </summary>
    public void BeginEpoch()
    {
        _baseline = EpochBaseline.Take(_publishers, _subscribers);
        _balanced = null;
        foreach (var subscriber in _subscribers)
        {
            subscriber.ArmFirstEvent();
            subscriber.Hold();
        }
    }

    /// <summary>Lets paused publishers go on.</summary>
    public void Resume() => _gate.Resume();

    /// <summary>
    /// Waits (bounded) until every publisher is connected and every subscription has received an event through the
    /// broker that became ready at <paramref name="readyAt"/> (a Stopwatch timestamp); checks that each
    /// subscription's <c>Reconnected</c> equals <paramref name="restarts"/> and lists, apart, the clients over the
    /// 2 s bound. The bound applies to restarts only: the first connection also includes starting the clients.
    /// </summary>
    public async Task<ReconnectReport> AwaitFlowingAsync(long readyAt, int restarts)
    {
        var problems = new List<string>();
        var slow = new List<string>();
        var publisherTimes = await Task.WhenAll(_publishers.Select(async p =>
        {
            var waiter = new CountWaiter(() => p.Bus.ConnectionChanged);
            await waiter.WaitAsync(() => p.Bus.IsConnected, _bound, () => $"{p.Name} not connected");
            return Stopwatch.GetElapsedTime(readyAt);
        }));
        await Task.WhenAll(_subscribers.Select(s => s.Changes.WaitAsync(() => s.FirstEventAt != 0, _bound, () => $"{s.Name} '{s.Pattern}': no event through the new broker")));

        var slowestPublisher = publisherTimes.Max();
        var slowestSubscriber = TimeSpan.Zero;
        foreach (var subscriber in _subscribers)
        {
            var took = Stopwatch.GetElapsedTime(readyAt, subscriber.FirstEventAt);
            slowestSubscriber = took > slowestSubscriber ? took : slowestSubscriber;
            if (restarts > 0 && took >= ReconnectReport.Bound)
            {
                slow.Add($"{subscriber.Name}: first event through the new broker after {took.TotalMilliseconds:0} ms");
            }

            if (subscriber.Reconnected != restarts)
            {
                problems.Add($"{subscriber.Name}: Reconnected {subscriber.Reconnected}, expected {restarts}");
            }
        }

        if (restarts > 0 && slowestPublisher >= ReconnectReport.Bound)
        {
            slow.Add($"a publisher took {slowestPublisher.TotalMilliseconds:0} ms to reconnect");
        }

        return new ReconnectReport(slowestPublisher, slowestSubscriber, problems, slow);
    }

    /// <summary>
    /// The load itself: waits until every publisher has made the publish calls <paramref name="span"/> stands for
    /// (<see cref="LoadOptions.CallsPerPublisher"/>) since now. At the configured rate that takes about
    /// <paramref name="span"/>; the bound (four spans and 30 s) only catches a publisher that stopped.
    /// </summary>
    public Task AwaitLoadAsync(TimeSpan span)
    {
        var calls = Options.CallsPerPublisher(span);
        var bound = (4 * span) + _bound;
        return Task.WhenAll(_publishers.Select(p =>
        {
            var target = p.Calls + calls;
            return p.Progress.WaitAsync(() => p.Calls >= target, bound, () => $"{p.Name}: {p.Calls} of {target} publish calls");
        }));
    }

    /// <summary>
    /// Waits until no subscriber has a connection and every subscription queue is drained (laggards released), so
    /// nothing more can be counted for the broker that just ended.
    /// </summary>
    public Task QuietAsync()
    {
        foreach (var subscriber in _subscribers)
        {
            subscriber.Release();
        }

        return Task.WhenAll(_subscribers.Select(s => s.Changes.WaitAsync(() => s.IsQuiet, _bound, () => $"{s.Name}: connected {s.Bus.IsConnected}, received {s.Received}, dropped {s.Dropped}, consumed {s.Consumed}")));
    }

    /// <summary>Everything the clients saw that breaks a guarantee: publisher exceptions, disorder, wrong topics.</summary>
    public IReadOnlyList<string> ClientProblems()
    {
        var problems = new List<string>();
        foreach (var publisher in _publishers.Where(p => p.Exceptions > 0))
        {
            problems.Add($"{publisher.Exceptions} exceptions from PublishAsync; first {publisher.FirstException}");
        }

        foreach (var subscriber in _subscribers.Where(s => s.Disorders > 0 || s.Mismatches > 0))
        {
            problems.Add($"{subscriber.Disorders} out-of-order/duplicate and {subscriber.Mismatches} unexpected events; first: {subscriber.FirstProblem}");
        }

        return problems;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _gate.Resume();
        foreach (var publisher in _publishers)
        {
            await publisher.DisposeAsync();
        }

        foreach (var subscriber in _subscribers)
        {
            await subscriber.DisposeAsync();
        }
    }

    private DecnetBusOptions ClientOptions(string name, int queueSize) => new()
    {
        SocketPath = _socketPath,
        Group = string.Empty,
        ClientName = name,
        QueueSize = queueSize,
    };
}
