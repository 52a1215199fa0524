using System.Threading.Channels;
using Decnet.Bus.Abstractions.Tests.TestDoubles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Decnet.Bus.Abstractions.Tests.Workers;

public sealed class BusControlListenerTests
{
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(5);
    private readonly Channel<WorkerControlRequest> _requests = Channel.CreateUnbounded<WorkerControlRequest>();
    private readonly ListLogger<BusControlListener> _logger = new();

    [Theory]
    [InlineData("stop", WorkerControlAction.Stop)]
    [InlineData("start", WorkerControlAction.Start)]
    [InlineData("STOP", WorkerControlAction.Stop)]
    public async Task ValidRequest_ReachesTheCallback(string action, WorkerControlAction expected)
    {
        await using var bus = new RecordingBus();
        using var listener = new BusControlListener(bus, "mutator", Record, _logger);
        await listener.StartAsync(CancellationToken.None);
        Assert.Equal("system.mutator.control", await bus.Subscribed.WaitAsync(_bound));

        await bus.PublishAsync("system.mutator.control", new Dictionary<string, object> { ["action"] = action, ["requested_by"] = "alice" });
        var request = await _requests.Reader.ReadAsync().AsTask().WaitAsync(_bound);
        await listener.StopAsync(CancellationToken.None);

        Assert.Equal(expected, request.Action);
        Assert.Equal("alice", request.RequestedBy);
        Assert.Equal("mutator", request.Worker);
        Assert.Equal("system.mutator.control", request.Event.Topic);
    }

    [Fact]
    public async Task MalformedPayloads_AreLoggedAndSkipped()
    {
        await using var bus = new RecordingBus();
        using var listener = new BusControlListener(bus, "w", Record, _logger);
        await listener.StartAsync(CancellationToken.None);
        await bus.Subscribed.WaitAsync(_bound);

        await bus.PublishAsync("system.w.control", new { action = "explode" });
        await bus.PublishAsync("system.w.control", new { requested_by = "bob" });
        await bus.PublishAsync("system.w.control", new Dictionary<string, object> { ["action"] = "stop", ["requested_by"] = 5 });
        await bus.PublishAsync("system.w.control", new Dictionary<string, object> { ["action"] = 1 });
        await bus.PublishAsync("system.w.control", new { action = "start" });

        // Requests are handled in order, so once the valid one arrives every malformed one was seen.
        var request = await _requests.Reader.ReadAsync().AsTask().WaitAsync(_bound);
        await listener.StopAsync(CancellationToken.None);

        Assert.Equal(WorkerControlAction.Start, request.Action);
        Assert.Equal(string.Empty, request.RequestedBy);
        Assert.False(_requests.Reader.TryRead(out _));
        var warnings = _logger.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message).ToList();
        var debug = _logger.Entries.Where(e => e.Level == LogLevel.Debug).Select(e => e.Message).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Contains("\"action\" is \"explode\"; expected \"stop\" or \"start\"", warnings[0], StringComparison.Ordinal);
        Assert.Contains("\"requested_by\" is a", warnings[1], StringComparison.Ordinal);
        Assert.Equal(2, debug.Count);
        Assert.Contains("\"action\" is missing", debug[0], StringComparison.Ordinal);
        Assert.Contains("\"action\" is a", debug[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThrowingCallback_IsLogged_AndListeningContinues()
    {
        await using var bus = new RecordingBus();
        using var listener = await StartFailingOnceAsync(bus);

        await bus.PublishAsync("system.w.control", new { action = "stop" });
        await bus.PublishAsync("system.w.control", new { action = "start" });
        var request = await _requests.Reader.ReadAsync().AsTask().WaitAsync(_bound);
        await listener.StopAsync(CancellationToken.None);

        Assert.Equal(WorkerControlAction.Start, request.Action);
        Assert.Equal(1, _logger.Count(LogLevel.Error));
    }

    [Fact]
    public async Task HostileStringsFromTheEvent_ReachTheLogEscaped()
    {
        // Issue 12, item 3: requested_by and the payload's values are the publisher's words; the log shows them escaped.
        await using var bus = new RecordingBus();
        using var listener = await StartFailingOnceAsync(bus);

        await bus.PublishAsync("system.w.control", new Dictionary<string, object> { ["action"] = "stop", ["requested_by"] = "\u001b[2J\r\nforged \u202eline" });
        await bus.PublishAsync("system.w.control", new Dictionary<string, object> { ["action"] = "\u001b]0;x\u0007\nstop" });
        await bus.PublishAsync("system.w.control", new { action = "start" });
        await _requests.Reader.ReadAsync().AsTask().WaitAsync(_bound);
        await listener.StopAsync(CancellationToken.None);

        Assert.Contains(_logger.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("\\u001B[2J\\u000D\\u000Aforged \\u202Eline", StringComparison.Ordinal));
        Assert.Contains(_logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("\\u001B]0;x\\u0007\\u000Astop", StringComparison.Ordinal));
        Assert.All(_logger.Entries, e => Assert.False(UntrustedText.NeedsEscaping(e.Message), UntrustedText.Escape(e.Message)));
    }

    [Fact]
    public async Task LongHostileStrings_ReachTheLogBounded()
    {
        // Review 6: a 150,000-character ESC string in "action" or "requested_by" made a 900,000-character log line.
        await using var bus = new RecordingBus();
        using var listener = await StartFailingOnceAsync(bus);
        var hostile = new string('\u001b', 150_000);

        await bus.PublishAsync("system.w.control", new Dictionary<string, object> { ["action"] = "stop", ["requested_by"] = hostile });
        await bus.PublishAsync("system.w.control", new Dictionary<string, object> { ["action"] = hostile });
        await bus.PublishAsync("system.w.control", new { action = "start" });
        await _requests.Reader.ReadAsync().AsTask().WaitAsync(_bound);
        await listener.StopAsync(CancellationToken.None);

        var lengths = string.Join(", ", _logger.Entries.Select(e => $"{e.Level}:{e.Message.Length}"));
        Assert.Equal(2, _logger.Entries.Count);
        Assert.All(_logger.Entries, e => Assert.True(e.Message.Length < 4096, $"log lines of {lengths} characters"));
        Assert.All(_logger.Entries, e => Assert.Contains("more characters)", e.Message, StringComparison.Ordinal));
        Assert.All(_logger.Entries, e => Assert.False(UntrustedText.NeedsEscaping(e.Message), UntrustedText.Escape(e.Message)));
    }

    [Fact]
    public async Task RepeatedMalformedEvents_WarnOncePerKind_ThenAtDebugLevel()
    {
        // Review 6: every malformed event was a warning, so any publisher on the topic chose how much the log grew.
        await using var bus = new RecordingBus();
        using var listener = new BusControlListener(bus, "w", Record, _logger);
        await listener.StartAsync(CancellationToken.None);
        await bus.Subscribed.WaitAsync(_bound);

        for (var i = 0; i < 5; i++)
        {
            await bus.PublishAsync("system.w.control", new { action = $"explode{i}" });
        }

        await bus.PublishAsync("system.w.control", new Dictionary<string, object> { ["action"] = "stop", ["requested_by"] = 5 });
        await bus.PublishAsync("system.w.control", new Dictionary<string, object> { ["action"] = "stop", ["requested_by"] = 6 });
        await bus.PublishAsync("system.w.control", new { action = "start" });
        await _requests.Reader.ReadAsync().AsTask().WaitAsync(_bound);
        await listener.StopAsync(CancellationToken.None);

        var warnings = _logger.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Contains("\"action\" is \"explode0\"", warnings[0], StringComparison.Ordinal);
        Assert.Contains("\"requested_by\" is a", warnings[1], StringComparison.Ordinal);
        Assert.Equal(5, _logger.Count(LogLevel.Debug));
        Assert.Contains(_logger.Entries, e => e.Level == LogLevel.Debug && e.Message.Contains("\"explode4\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NullBus_ListenerEndsQuietly()
    {
        using var listener = new BusControlListener(NullBus.Instance, "w", Record, _logger);
        await listener.StartAsync(CancellationToken.None);
        await listener.ExecuteTask!.WaitAsync(_bound);
        Assert.True(listener.ExecuteTask.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task AddDecnetWorkerControl_RunsInAHost()
    {
        await using var bus = new RecordingBus();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton<IBus>(bus).AddSingleton(DecnetBusEnvironment.None);
        builder.Services.AddDecnetWorkerControl("correlator", Record);
        using var host = builder.Build();
        await host.StartAsync();
        await bus.Subscribed.WaitAsync(_bound);

        await bus.PublishAsync(Topics.SystemWorkerControl("correlator"), new Dictionary<string, object> { ["action"] = "stop", ["requested_by"] = "ops" });
        var request = await _requests.Reader.ReadAsync().AsTask().WaitAsync(_bound);
        await host.StopAsync();
        Assert.Equal(WorkerControlAction.Stop, request.Action);
    }

    /// <summary>Starts a listener on worker "w" whose callback throws for the first request and records the rest.</summary>
    private async Task<BusControlListener> StartFailingOnceAsync(RecordingBus bus)
    {
        var calls = 0;
        var listener = new BusControlListener(
            bus,
            "w",
            async (request, ct) =>
            {
                if (Interlocked.Increment(ref calls) == 1)
                {
                    throw new InvalidOperationException("handler bug");
                }

                await Record(request, ct);
            },
            _logger);
        await listener.StartAsync(CancellationToken.None);
        await bus.Subscribed.WaitAsync(_bound);
        return listener;
    }

    private ValueTask Record(WorkerControlRequest request, CancellationToken cancellationToken)
        => _requests.Writer.WriteAsync(request, cancellationToken);
}
