using Decnet.Bus.Abstractions.Tests.TestDoubles;
using Microsoft.Extensions.Logging;

namespace Decnet.Bus.Abstractions.Tests.Workers;

public sealed class PublishSafeTests
{
    private readonly ListLogger<PublishSafeTests> _logger = new();

    [Fact]
    public async Task Success_ReturnsTrue_AndLogsNothing()
    {
        await using var bus = new RecordingBus();
        Assert.True(await bus.PublishSafeAsync("a.b", new { x = 1 }, _logger));
        Assert.Single(bus.Published);
        Assert.Empty(_logger.Entries);
    }

    [Fact]
    public async Task InvalidTopic_ReturnsFalse_LogsErrorOnce()
    {
        await using var bus = new RecordingBus();
        Assert.False(await bus.PublishSafeAsync("a.*", new { }, _logger));
        Assert.False(await bus.PublishSafeAsync("a..b", new { }, _logger));
        Assert.Equal(1, _logger.Count(LogLevel.Error));
        Assert.Equal(1, _logger.Count(LogLevel.Debug));
        Assert.Contains("a.*", _logger.Entries.First().Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NonMapPayload_ReturnsFalse_LogsError()
    {
        await using var bus = new RecordingBus();
        Assert.False(await bus.PublishSafeAsync("a", 42, _logger));
        Assert.Equal(1, _logger.Count(LogLevel.Error));
    }

    [Fact]
    public async Task DisposedBus_ReturnsFalse_LogsWarningOnce()
    {
        var bus = new NullBus();
        await bus.DisposeAsync();
        Assert.False(await bus.PublishSafeAsync("a", new { }, _logger));
        Assert.False(await bus.PublishSafeAsync("a", new { }, _logger));
        Assert.Equal(1, _logger.Count(LogLevel.Warning));
        Assert.Equal(0, _logger.Count(LogLevel.Error));
    }

    [Fact]
    public async Task TransportFault_ReturnsFalse_LogsWarningOncePerKind()
    {
        await using var bus = new RecordingBus { FailWith = topic => topic == "io" ? new IOException("broken pipe") : new InvalidOperationException("bug") };
        Assert.False(await bus.PublishSafeAsync("io", new { }, _logger));
        Assert.False(await bus.PublishSafeAsync("io", new { }, _logger));
        Assert.False(await bus.PublishSafeAsync("other", new { }, _logger));
        Assert.Equal(2, _logger.Count(LogLevel.Warning));
        Assert.Equal(1, _logger.Count(LogLevel.Debug));
    }

    [Fact]
    public async Task OnceIsPerBusInstance()
    {
        await using var first = new RecordingBus();
        await using var second = new RecordingBus();
        await first.PublishSafeAsync("a.*", new { }, _logger);
        await second.PublishSafeAsync("a.*", new { }, _logger);
        Assert.Equal(2, _logger.Count(LogLevel.Error));
    }

    [Fact]
    public async Task CancelledToken_OnABusThatNeedNotWait_SendsTheEvent_AndReturnsTrue()
    {
        // Review 6: the real transports queue the event before any wait and check the token only for that wait
        // (IBus.PublishAsync), so a cancelled token does not stop a publish that need not wait.
        await using var bus = new RecordingBus();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        Assert.True(await bus.PublishSafeAsync("a", new { }, _logger, cancellationToken: cts.Token));
        Assert.Single(bus.Published);
        Assert.Empty(_logger.Entries);
    }

    [Fact]
    public async Task CancelledWhileWaitingForSpace_ReturnsFalse_Silently_ButTheEventIsStillSent()
    {
        // A paced publish cancelled in its wait: false, although the event is queued and will go out (a caller that
        // retried on false would send it twice; the docs say so).
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var bus = new RecordingBus { Pace = held.Task };
        using var cts = new CancellationTokenSource();
        var publish = bus.PublishSafeAsync("a", new { }, _logger, cancellationToken: cts.Token).AsTask();
        await bus.WaitForPublishCountAsync(1).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(publish.IsCompleted);

        await cts.CancelAsync();

        Assert.False(await publish.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Single(bus.Published);
        Assert.Empty(_logger.Entries);
    }

    [Fact]
    public async Task NullLogger_Throws()
    {
        await using var bus = new RecordingBus();
        await Assert.ThrowsAsync<ArgumentNullException>(() => bus.PublishSafeAsync("a", new { }, null!).AsTask());
    }
}
