using System.Diagnostics;
using Decnet.Bus;
using Decnet.Bus.Fake;
using Decnet.Mutator.Events.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Decnet.Mutator.Events.Tests.Emitting;

/// <summary>The documented way to test code that emits mutation events: a FakeBus, a fake clock and a temp log file.</summary>
public sealed class MutationEventFakeBusTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task FakeBus_observes_the_mutation_event_with_its_payload()
    {
        await using var bus = new FakeBus();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero));
        var log = _temp.File("decnet.log");
        var emitter = new MutationEventEmitter(new MutationEventOptions { LogFile = log }, bus, clock);

        var result = await emitter.EmitAsync("decky-01", ["ssh", "http"], ["http", "smb"], MutationTrigger.Operator, "alice");

        var evt = await bus.WaitForAsync(Topics.DeckyMutation("decky-01"), timeout: TimeSpan.FromSeconds(5));
        var payload = evt.ReadPayloadAsDictionary();
        Assert.True(result.Written && result.Published);
        Assert.Equal("mutation", evt.Type);
        Assert.Equal("decky-01", payload["decky"]);
        Assert.Equal(["ssh", "http"], (object[])payload["old_services"]!);
        Assert.Equal(["http", "smb"], (object[])payload["new_services"]!);
        Assert.Equal("operator", payload["trigger"]);
        Assert.Equal("alice", payload["actor"]);
        Assert.Equal(
            "<134>1 2026-11-22T10:00:00.000000+00:00 decky-01 mutator - decky_mutated [relay@55555 decky=\"decky-01\" old_services=\"ssh,http\" new_services=\"http,smb\" trigger=\"operator\" actor=\"alice\"]\n",
            await File.ReadAllTextAsync(log));
    }

    [Fact]
    public async Task An_emit_inside_an_activity_publishes_that_activity_s_trace_context()
    {
        using var source = new ActivitySource("Decnet.Mutator.Events.Tests.mutator");
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == source.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        await using var bus = new FakeBus();
        var emitter = new MutationEventEmitter(new MutationEventOptions { LogFile = _temp.File("decnet.log") }, bus, TimeProvider.System);

        using (var mutate = source.StartActivity("mutate"))
        {
            Assert.NotNull(mutate);
            await emitter.EmitAsync("decky-01", ["ssh"], ["http"], MutationTrigger.Operator, "alice");
            Assert.Equal(mutate.Id, bus.Published.Single().TraceParent);
        }
    }
}
