using Decnet.Bus;
using Decnet.Bus.Fake;
using Decnet.Mutator.Events;
using Decnet.Samples.WorkerService;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Decnet.Samples.WorkerService.Tests;

public sealed class MutationWatcherTests : IDisposable
{
    private readonly string _logFile = Path.Combine(Path.GetTempPath(), $"decnet-sample-{Guid.NewGuid():N}.log");

    public void Dispose() => File.Delete(_logFile);

    [Fact]
    public async Task Watcher_RecordsAMutationPublishedOnTheBus()
    {
        await using var bus = new FakeBus();
        using var host = BuildHost(bus, new WatcherOptions { ExitAfter = 1 });
        var tally = host.Services.GetRequiredService<MutationTally>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        var running = host.RunAsync(timeout.Token);

        // Once the watcher's subscription is live, publish the way the mutator does.
        await host.Services.GetServices<IHostedService>().OfType<MutationWatcher>().Single().Subscribed.WaitAsync(timeout.Token);
        var emitter = new MutationEventEmitter(new MutationEventOptions { LogFile = _logFile }, bus);
        var result = await emitter.EmitAsync("decky-07", ["ssh"], ["ssh", "smb"], MutationTrigger.Scheduled, cancellationToken: timeout.Token);
        Assert.True(result.Succeeded, result.WriteError ?? result.PublishError);

        // ExitAfter = 1: the host stops by itself once the watcher has seen the mutation.
        await running;
        var notice = Assert.Single(tally.Seen);
        Assert.Equal(new MutationNotice("decky-07", ["ssh"], ["ssh", "smb"], "scheduled"), notice, MutationNoticeComparer.Instance);
    }

    [Fact]
    public async Task Watcher_WithEmitDecky_EmitsAndSeesItsOwnMutation()
    {
        await using var bus = new FakeBus();
        using var host = BuildHost(bus, new WatcherOptions { EmitDecky = "decky-01", ExitAfter = 1 });
        var tally = host.Services.GetRequiredService<MutationTally>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        await host.RunAsync(timeout.Token);

        Assert.False(timeout.IsCancellationRequested, "the host did not stop by itself");
        Assert.Equal("decky-01", Assert.Single(tally.Seen).Decky);
        var published = Assert.Single(bus.Published);
        Assert.Equal("decky.decky-01.mutation", published.Topic);
        Assert.Contains("decky_mutated", await File.ReadAllTextAsync(_logFile, timeout.Token), StringComparison.Ordinal);
    }

    private IHost BuildHost(IBus bus, WatcherOptions options)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(bus);
        builder.Services.AddDecnetMutationEvents(o => o.LogFile = _logFile);
        builder.Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(options));
        builder.Services.AddSingleton<MutationTally>();
        builder.Services.AddHostedService<MutationWatcher>();
        return builder.Build();
    }

    private sealed class MutationNoticeComparer : IEqualityComparer<MutationNotice>
    {
        public static readonly MutationNoticeComparer Instance = new();

        public bool Equals(MutationNotice? x, MutationNotice? y) => x is not null && y is not null
            && x.Decky == y.Decky && x.Trigger == y.Trigger
            && x.OldServices.SequenceEqual(y.OldServices) && x.NewServices.SequenceEqual(y.NewServices);

        public int GetHashCode(MutationNotice obj) => obj.Decky.GetHashCode(StringComparison.Ordinal);
    }
}
