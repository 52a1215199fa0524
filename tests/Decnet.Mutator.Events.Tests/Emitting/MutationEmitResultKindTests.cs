using Decnet.Bus;
using Decnet.Mutator.Events.Tests.Support;

namespace Decnet.Mutator.Events.Tests.Emitting;

/// <summary>
/// <see cref="MutationEmitResult"/> says what failed as a typed kind, so callers branch on an enum, not on message text
/// (docs/mutation-events.md, "Result").
/// </summary>
public sealed class MutationEmitResultKindTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Success_HasNoFailureKinds()
    {
        var result = await EmitAsync(_temp.File("decnet.log"), new RecordingBus());

        Assert.Equal((MutationSyslogFailure.None, MutationBusFailure.None), (result.WriteFailure, result.PublishFailure));
    }

    [Fact]
    public async Task DirectoryAtTheLogPath_IsRefused()
    {
        var result = await EmitAsync(_temp.Path, new RecordingBus());

        Assert.Equal(MutationSyslogFailure.Refused, result.WriteFailure);
        Assert.False(result.Written);
        Assert.NotNull(result.WriteError);
    }

    [Fact]
    public async Task MissingParentThatCannotBeCreated_IsADirectoryFailure()
    {
        // A regular file where the parent directory should be: the directory cannot be created.
        var blocker = _temp.File("blocker");
        await File.WriteAllTextAsync(blocker, "x");

        var result = await EmitAsync(Path.Combine(blocker, "sub", "decnet.log"), new RecordingBus());

        Assert.Equal(MutationSyslogFailure.Directory, result.WriteFailure);
    }

    [Fact]
    public async Task ThrowingBus_IsATransportFailure()
    {
        var result = await EmitAsync(_temp.File("decnet.log"), new RecordingBus(new InvalidOperationException("down")));

        Assert.Equal(MutationBusFailure.Transport, result.PublishFailure);
        Assert.False(result.Published);
    }

    [Fact]
    public async Task DisposedBus_IsADisposedFailure()
    {
        var result = await EmitAsync(_temp.File("decnet.log"), new RecordingBus(new ObjectDisposedException("bus")));

        Assert.Equal(MutationBusFailure.Disposed, result.PublishFailure);
    }

    [Fact]
    public async Task NullBus_IsDisabled()
    {
        var result = await EmitAsync(_temp.File("decnet.log"), NullBus.Instance);

        Assert.Equal(MutationBusFailure.Disabled, result.PublishFailure);
        Assert.True(result.Written);
    }

    private static async Task<MutationEmitResult> EmitAsync(string logFile, IBus bus)
        => await new MutationEventEmitter(new MutationEventOptions { LogFile = logFile }, bus).EmitAsync("d1", ["a"], ["b"], MutationTrigger.Operator);
}
