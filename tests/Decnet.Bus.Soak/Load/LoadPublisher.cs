using System.Diagnostics;
using System.Globalization;
using Decnet.Bus.Unix;

namespace Decnet.Bus.Soak.Load;

/// <summary>
/// One <see cref="UnixSocketBus"/> publishing on its own topic, paced or flat out, with a sequence number per event
/// (in the event type) so subscribers can check order. Any exception from <c>PublishAsync</c> is recorded as a failure.
/// </summary>
public sealed class LoadPublisher : IAsyncDisposable
{
    // Pacing tick: events go out in small bursts every tick, sized by the elapsed time (rate x elapsed).
    private static readonly TimeSpan _tick = TimeSpan.FromMilliseconds(20);
    private readonly UnixSocketBus _bus;
    private readonly PublisherGate _gate;
    private readonly int _rate;
    private readonly LoadPayload _payload;
    private readonly CancellationTokenSource _stop = new();
    private Task _run = Task.CompletedTask;
    private long _next;
    private long _exceptions;
    private string? _firstException;

    /// <summary>Creates the publisher (not yet publishing).</summary>
    public LoadPublisher(DecnetBusOptions options, int index, string topic, int rate, PublisherGate gate)
    {
        _bus = new UnixSocketBus(options);
        Index = index;
        Name = options.ClientName;
        Topic = topic;
        _rate = rate;
        _gate = gate;
        _payload = new LoadPayload { P = index };
    }

    /// <summary>Position in the harness (also the payload's <c>P</c>).</summary>
    public int Index { get; }

    /// <summary>The client name the broker lists it under.</summary>
    public string Name { get; }

    /// <summary>The only topic it publishes on.</summary>
    public string Topic { get; }

    /// <summary>The client.</summary>
    public UnixSocketBus Bus => _bus;

    /// <summary><c>PublishAsync</c> calls so far (the next sequence number).</summary>
    public long Calls => Volatile.Read(ref _next);

    /// <summary>Poked after every <c>PublishAsync</c> call, so a test can await a volume of load instead of a time.</summary>
    public CountWaiter Progress { get; } = new();

    /// <summary>Exceptions <c>PublishAsync</c> threw (must stay 0).</summary>
    public long Exceptions => Interlocked.Read(ref _exceptions);

    /// <summary>The first exception's text, if any.</summary>
    public string? FirstException => Volatile.Read(ref _firstException);

    /// <summary>Starts the publish loop.</summary>
    public void Start() => _run = RunAsync(_stop.Token);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _bus.DisposeAsync();
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken token)
    {
        await Task.Yield();
        using var timer = new PeriodicTimer(_tick);
        var clock = Stopwatch.StartNew();
        long sentSinceStart = 0;
        try
        {
            while (!token.IsCancellationRequested)
            {
                if (_gate.IsPaused)
                {
                    await _gate.ParkAsync(token);
                    clock.Restart();
                    sentSinceStart = 0;
                    continue;
                }

                if (_rate == 0)
                {
                    // Flat out, in batches, yielding so 200 clients share two cores.
                    for (var i = 0; i < 64; i++)
                    {
                        await PublishOneAsync();
                    }

                    await Task.Yield();
                    continue;
                }

                // Catch up to rate x elapsed, but never more than a fifth of a second's worth at once.
                var due = (long)(clock.Elapsed.TotalSeconds * _rate);
                var burst = Math.Min(due - sentSinceStart, Math.Max(1, _rate / 5));
                for (var i = 0; i < burst; i++)
                {
                    await PublishOneAsync();
                }

                sentSinceStart = Math.Max(sentSinceStart + burst, due - _rate);
                await timer.WaitForNextTickAsync(token);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    private async ValueTask PublishOneAsync()
    {
        var seq = _next;
        try
        {
            await _bus.PublishAsync(Topic, _payload, seq.ToString(CultureInfo.InvariantCulture), CancellationToken.None);
        }
#pragma warning disable CA1031 // The contract is that publishing never throws; anything thrown is recorded as a failure.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Interlocked.Increment(ref _exceptions);
            Interlocked.CompareExchange(ref _firstException, $"{Name}: {ex.GetType().Name}: {ex.Message}", null);
        }

        Volatile.Write(ref _next, seq + 1);
        Progress.Poke();
    }
}
