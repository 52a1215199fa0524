using System.Diagnostics.Metrics;

namespace Decnet.Bus.Fake.Tests;

public sealed class FakeBusMetricsTests
{
    [Fact]
    public async Task Counters_AreExportedOnTheDecnetBusMeter_TaggedFake()
    {
        var measured = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Decnet.Bus")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "transport" && (string?)tag.Value == "fake")
                {
                    lock (measured)
                    {
                        measured[instrument.Name] = measured.GetValueOrDefault(instrument.Name) + value;
                    }
                }
            }
        });
        listener.Start();

        await using var bus = new FakeBus();
        await using var subscription = await bus.SubscribeAsync("m.x", new SubscriptionOptions { QueueSize = 1 });
        await bus.PublishAsync("m.x", new { n = 1 });
        await bus.PublishAsync("m.x", new { n = 2 });

        // Other tests publish in parallel on the same process-wide meter, so these are lower bounds.
        lock (measured)
        {
            Assert.True(measured.GetValueOrDefault("decnet.bus.published") >= 2);
            Assert.True(measured.GetValueOrDefault("decnet.bus.delivered") >= 2);
            Assert.True(measured.GetValueOrDefault("decnet.bus.dropped") >= 1);
        }

        Assert.Equal(new BusCounters(2, 2, 1), bus.Counters);
    }
}
