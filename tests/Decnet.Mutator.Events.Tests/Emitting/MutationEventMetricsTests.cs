using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Decnet.Mutator.Events.Tests.Support;

namespace Decnet.Mutator.Events.Tests.Emitting;

public sealed class MutationEventMetricsTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Failures_AreExported_AsMeterCounters_TaggedByKind()
    {
        var seen = new ConcurrentBag<(string Instrument, long Value, string? Kind)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "Decnet.Mutator.Events")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? kind = null;
            foreach (var tag in tags)
            {
                kind = tag.Key == "kind" ? tag.Value as string : kind;
            }

            seen.Add((instrument.Name, value, kind));
        });
        listener.Start();
        var emitter = new MutationEventEmitter(
            new MutationEventOptions { LogFile = _temp.Path },
            new RecordingBus(new InvalidOperationException("down")));

        await emitter.EmitAsync("d1", ["a"], ["b"], MutationTrigger.Operator);

        Assert.Contains(("decnet.mutation.emitted", 1L, (string?)null), seen);
        // A directory at the log path is refused like every other non-regular file (issue 12, item 5).
        Assert.Contains(("decnet.mutation.syslog.failures", 1L, (string?)"refused"), seen);
        Assert.Contains(("decnet.mutation.bus.failures", 1L, (string?)"transport"), seen);
    }

    [Fact]
    public async Task Emit_CancelledBeforehand_Throws_AndWritesNothing()
    {
        var bus = new RecordingBus();
        var emitter = new MutationEventEmitter(new MutationEventOptions { LogFile = _temp.File("decnet.log") }, bus);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await emitter.EmitAsync("d1", ["a"], ["b"], MutationTrigger.Operator, cancellationToken: new CancellationToken(canceled: true)));

        Assert.False(File.Exists(_temp.File("decnet.log")));
        Assert.Empty(bus.Published);
    }
}
