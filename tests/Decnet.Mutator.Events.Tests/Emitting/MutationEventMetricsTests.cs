using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Decnet.Bus;
using Decnet.Mutator.Events.Internal;
using Decnet.Mutator.Events.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Decnet.Mutator.Events.Tests.Emitting;

public sealed class MutationEventMetricsTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Failures_AreObserved_TaggedByKind_OnTheContainersMeter()
    {
        await using var services = new ServiceCollection()
            .AddSingleton<IBus>(new RecordingBus(new InvalidOperationException("down")))
            .AddDecnetMutationEvents(o => o.LogFile = _temp.Path)
            .BuildServiceProvider();
        var emitter = services.GetRequiredService<MutationEventEmitter>();
        var meter = services.GetRequiredService<MutationEventMetrics>().Meter;
        var seen = new ConcurrentBag<(string Instrument, long Value, string? Kind)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter, meter))
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

        await emitter.EmitAsync("d1", ["a"], ["b"], MutationTrigger.Operator);
        Assert.Empty(seen); // nothing is measured per emit: only a collection reads the counts
        listener.RecordObservableInstruments();

        Assert.Contains(("decnet.mutation.emitted", 1L, (string?)null), seen);
        // A directory at the log path is refused like every other non-regular file (issue 12, item 5).
        Assert.Contains(("decnet.mutation.syslog.failures", 1L, (string?)"refused"), seen);
        Assert.Contains(("decnet.mutation.bus.failures", 1L, (string?)"transport"), seen);
        Assert.Equal(3, seen.Count);
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
