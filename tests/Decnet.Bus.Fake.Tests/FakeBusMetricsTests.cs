using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace Decnet.Bus.Fake.Tests;

/// <summary>
/// The <c>Decnet.Bus</c> meter (docs/dotnet-hosts.md, "Metrics"): created from the container's <see cref="IMeterFactory"/>,
/// observable counters over the bus's own counters, nothing measured per publish.
/// </summary>
public sealed class FakeBusMetricsTests
{
    [Fact]
    public async Task Counters_AreObservedOnTheFactorysMeter_TaggedWithTheTransport()
    {
        using var factory = new ScopedMeterFactory();
        await using var services = Build(factory);
        var bus = services.GetRequiredService<IBus>();
        await using var subscription = await bus.SubscribeAsync("m.x", new SubscriptionOptions { QueueSize = 1 });
        await bus.PublishAsync("m.x", new { n = 1 });
        await bus.PublishAsync("m.x", new { n = 2 });
        using var listener = Listen(factory, out var measured, out var units);

        listener.RecordObservableInstruments();

        Assert.Equal(new BusCounters(2, 2, 1), bus.Counters);
        Assert.Equal(2, measured[("decnet.bus.published", "fake")]);
        Assert.Equal(2, measured[("decnet.bus.delivered", "fake")]);
        Assert.Equal(1, measured[("decnet.bus.dropped", "fake")]);
        Assert.Equal("{event}", units["decnet.bus.published"]);
        Assert.Equal("{connection}", units["decnet.bus.brokers_refused"]);
    }

    [Fact]
    public async Task Publishing_MeasuresNothingByItself()
    {
        using var factory = new ScopedMeterFactory();
        await using var services = Build(factory);
        var bus = services.GetRequiredService<IBus>();
        using var listener = Listen(factory, out var measured, out _);

        await bus.PublishAsync("m.x", new { n = 1 });

        // Only a collection (RecordObservableInstruments, or dotnet-counters' interval) reads the counters.
        Assert.Empty(measured);
    }

    [Fact]
    public async Task WithoutAMeterFactory_TheBusOwnsItsMeter_AndDisposingTheContainerEndsIt()
    {
        var completed = 0;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "Decnet.Bus" && instrument.Meter.Scope is null)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
            MeasurementsCompleted = (_, _) => Interlocked.Increment(ref completed),
        };
        listener.Start();
        var services = Build(factory: null);
        _ = services.GetRequiredService<IBus>();

        await services.DisposeAsync();

        Assert.True(Volatile.Read(ref completed) >= 4, "the container's own meter was not disposed with it");
    }

    private static ServiceProvider Build(IMeterFactory? factory)
    {
        var services = new ServiceCollection();
        if (factory is not null)
        {
            services.AddSingleton(factory);
        }

        services.AddSingleton(DecnetBusEnvironment.From(new Dictionary<string, string?> { [DecnetBusVariables.Type] = "fake" }));
        services.AddDecnetBus().AddFakeTransport();
        return services.BuildServiceProvider();
    }

    private static MeterListener Listen(IMeterFactory factory, out Dictionary<(string, string?), long> measured, out Dictionary<string, string?> units)
    {
        var values = new Dictionary<(string, string?), long>();
        var seenUnits = new Dictionary<string, string?>();
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    lock (seenUnits)
                    {
                        seenUnits[instrument.Name] = instrument.Unit;
                    }

                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? transport = null;
            foreach (var tag in tags)
            {
                transport = tag.Key == "transport" ? tag.Value as string : transport;
            }

            lock (values)
            {
                values[(instrument.Name, transport)] = value;
            }
        });
        listener.Start();
        measured = values;
        units = seenUnits;
        return listener;
    }

    /// <summary>An <see cref="IMeterFactory"/> whose meters carry it as their scope, so a listener sees only this test's.</summary>
    private sealed class ScopedMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(new MeterOptions(options.Name) { Version = options.Version, Tags = options.Tags, Scope = this });
            _meters.Add(meter);
            return meter;
        }

        public void Dispose()
        {
            foreach (var meter in _meters)
            {
                meter.Dispose();
            }
        }
    }
}
