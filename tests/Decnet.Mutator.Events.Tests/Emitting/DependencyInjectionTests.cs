using Decnet.Bus;
using Decnet.Mutator.Events.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Decnet.Mutator.Events.Tests.Emitting;

public sealed class DependencyInjectionTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task AddDecnetMutationEvents_UsesRegisteredBusAndClock()
    {
        var bus = new RecordingBus();
        var clock = new FakeTimeProvider(Samples.Timestamp);
        var services = new ServiceCollection()
            .AddSingleton<IBus>(bus)
            .AddSingleton<TimeProvider>(clock)
            .AddDecnetMutationEvents(o => o.LogFile = _temp.File("decnet.log"));
        await using var provider = services.BuildServiceProvider();

        var emitter = provider.GetRequiredService<MutationEventEmitter>();
        var result = await emitter.EmitAsync("decky-01", ["ssh", "http"], ["http", "smb"], MutationTrigger.Operator, "alice");

        Assert.Same(emitter, provider.GetRequiredService<MutationEventEmitter>());
        Assert.True(result.Succeeded);
        Assert.Single(bus.Published);
        Assert.Equal(DeckyMutatedLineFormatter.Format(Samples.Event()), result.Line);
    }

    [Fact]
    public async Task AddDecnetMutationEvents_WithoutBus_FallsBackToNullBus()
    {
        await using var provider = new ServiceCollection()
            .AddDecnetMutationEvents(o => o.LogFile = _temp.File("decnet.log"))
            .BuildServiceProvider();

        var result = await provider.GetRequiredService<MutationEventEmitter>().EmitAsync("d", [], ["a"], MutationTrigger.Creation);

        Assert.True(result.Written);
        Assert.Contains("NullBus", result.PublishError, StringComparison.Ordinal);
    }

    [Fact]
    public void AddDecnetMutationEvents_EmptyLogFile_FailsValidationNamingTheVariable()
    {
        using var provider = new ServiceCollection()
            .AddDecnetMutationEvents(o => o.LogFile = "")
            .BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<MutationEventOptions>>().Value);

        Assert.Contains("DECNET_INGEST_LOG_FILE", ex.Message, StringComparison.Ordinal);
    }
}
