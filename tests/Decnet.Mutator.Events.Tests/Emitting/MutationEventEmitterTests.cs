using Decnet.Bus;
using Decnet.Mutator.Events.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Decnet.Mutator.Events.Tests.Emitting;

public sealed class MutationEventEmitterTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly FakeTimeProvider _clock = new(Samples.Timestamp);
    private readonly ListLogger<MutationEventEmitter> _logger = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>
    /// The example of testing with a recording bus double: the emitter publishes one <c>mutation</c> event on
    /// <c>decky.{id}.mutation</c> whose payload has snake_case keys and list-valued service sets.
    /// </summary>
    [Fact]
    public async Task Emit_WritesLineThenPublishesPayload()
    {
        var bus = new RecordingBus();
        var emitter = Emitter(_temp.File("decnet.log"), bus);

        var result = await emitter.EmitAsync("decky-01", ["ssh", "http"], ["http", "smb"], MutationTrigger.Operator, "alice");

        Assert.True(result.Succeeded);
        Assert.Equal(DeckyMutatedLineFormatter.Format(Samples.Event()), await File.ReadAllTextAsync(_temp.File("decnet.log")));
        var published = Assert.Single(bus.Published);
        Assert.Equal(("decky.decky-01.mutation", "mutation"), (published.Topic, published.Type));
        Assert.Equal(["decky", "old_services", "new_services", "trigger", "actor"], published.Payload.Keys);
        Assert.Equal("decky-01", published.Payload["decky"]);
        Assert.Equal(["ssh", "http"], ((object[])published.Payload["old_services"]!).Cast<string>());
        Assert.Equal(["http", "smb"], ((object[])published.Payload["new_services"]!).Cast<string>());
        Assert.Equal("operator", published.Payload["trigger"]);
        Assert.Equal("alice", published.Payload["actor"]);
    }

    [Fact]
    public async Task Emit_WithoutActor_OmitsActorKey_AndCreatesParentDirectory()
    {
        var bus = new RecordingBus();
        var path = Path.Combine(_temp.Path, "nested", "deeper", "decnet.log");

        var result = await Emitter(path, bus).EmitAsync("d1", [], ["ssh"], MutationTrigger.Creation);

        Assert.True(result.Written, result.WriteError);
        Assert.DoesNotContain("actor", Assert.Single(bus.Published).Payload.Keys);
        Assert.DoesNotContain("actor=", await File.ReadAllTextAsync(path), StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Emit_CreatesMissingDirectories_WithNoPermissionBeyond0750()
    {
        // Like the file's 0640: the correlator's group reads, nobody else; a umask of 0 must not make them world-writable.
        const UnixFileMode Allowed = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;
        var nested = Path.Combine(_temp.Path, "nested");
        var path = Path.Combine(nested, "deeper", "decnet.log");

        var result = await Emitter(path, new RecordingBus()).EmitAsync("d1", [], ["ssh"], MutationTrigger.Creation);

        Assert.True(result.Written, result.WriteError);
        Assert.Equal((UnixFileMode)0, File.GetUnixFileMode(nested) & ~Allowed);
        Assert.Equal((UnixFileMode)0, File.GetUnixFileMode(Path.GetDirectoryName(path)!) & ~Allowed);
    }

    [Fact]
    public async Task Emit_InvalidArgument_ThrowsAndNeitherWritesNorPublishes()
    {
        var bus = new RecordingBus();
        var emitter = Emitter(_temp.File("decnet.log"), bus);

        var ex = await Assert.ThrowsAsync<ArgumentException>(async () => await emitter.EmitAsync("decky 01", ["ssh"], ["http"], MutationTrigger.Operator, "alice\nforged"));

        Assert.Equal("decky", ex.ParamName);
        Assert.False(File.Exists(_temp.File("decnet.log")));
        Assert.Empty(bus.Published);
        Assert.Equal(0, emitter.EmittedCount);
    }

    [Theory]
    [InlineData(typeof(InvalidOperationException))]
    [InlineData(typeof(ObjectDisposedException))]
    [InlineData(typeof(IOException))]
    public async Task Emit_BusThrows_StillWritesLine_LogsOnceAndCounts(Type exceptionType)
    {
        var bus = new RecordingBus((Exception)Activator.CreateInstance(exceptionType, "broker gone")!);
        var emitter = Emitter(_temp.File("decnet.log"), bus);

        var result = await emitter.EmitAsync("decky-01", ["ssh"], ["http"], MutationTrigger.Scheduled);

        Assert.True(result.Written, result.WriteError);
        Assert.False(result.Published);
        Assert.Contains("broker gone", result.PublishError, StringComparison.Ordinal);
        Assert.True(DeckyMutatedEvent.TryParse(await File.ReadAllTextAsync(_temp.File("decnet.log")), out _, out var reason), reason);
        Assert.Equal(1, emitter.BusFailureCount);
        var warning = Assert.Single(_logger.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("broker gone", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Emit_NullBus_WritesLine_ReportsEventDropped()
    {
        var emitter = new MutationEventEmitter(new MutationEventOptions { LogFile = _temp.File("decnet.log") }, bus: null, _clock);

        var result = await emitter.EmitAsync("decky-01", ["ssh"], ["http"], MutationTrigger.Healer);

        Assert.True(result.Written);
        Assert.False(result.Published);
        Assert.Contains("NullBus", result.PublishError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Emit_LogDirectoryCannotBeCreated_StillPublishes()
    {
        // A regular file where a directory should be: fails even for root, unlike a chmod-based test.
        await File.WriteAllTextAsync(_temp.File("not-a-dir"), "x");
        var bus = new RecordingBus();
        var emitter = Emitter(Path.Combine(_temp.File("not-a-dir"), "sub", "decnet.log"), bus);

        var result = await emitter.EmitAsync("decky-01", ["ssh"], ["http"], MutationTrigger.Behavioral);

        Assert.False(result.Written);
        Assert.Contains("cannot create directory", result.WriteError, StringComparison.Ordinal);
        Assert.True(result.Published);
        Assert.Single(bus.Published);
        Assert.Equal(1, emitter.SyslogFailureCount);
        Assert.Single(_logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("directory", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Emit_LogPathIsADirectory_StillPublishes()
    {
        var bus = new RecordingBus();

        var result = await Emitter(_temp.Path, bus).EmitAsync("decky-01", ["ssh"], ["http"], MutationTrigger.Federation);

        Assert.False(result.Written);
        Assert.Contains("Is a directory", result.WriteError, StringComparison.Ordinal);
        Assert.Single(bus.Published);
    }

    [Fact]
    public async Task Emit_BothPathsDown_ReturnsBothReasons_WithoutThrowing()
    {
        var emitter = Emitter(_temp.Path, new RecordingBus(new InvalidOperationException("no broker")));

        var result = await emitter.EmitAsync("decky-01", ["ssh"], ["http"], MutationTrigger.Operator);

        Assert.False(result.Written);
        Assert.False(result.Published);
        Assert.NotNull(result.WriteError);
        Assert.Contains("no broker", result.PublishError, StringComparison.Ordinal);
        Assert.Equal(2, _logger.Entries.Count(e => e.Level == LogLevel.Warning));
        Assert.Equal((1, 1), (emitter.SyslogFailureCount, emitter.BusFailureCount));
    }

    [Fact]
    public async Task Emit_TimestampComesFromTimeProvider()
    {
        _clock.Advance(TimeSpan.FromMinutes(1));

        var result = await Emitter(_temp.File("decnet.log"), new RecordingBus()).EmitAsync("d", [], ["a"], MutationTrigger.Creation);

        Assert.StartsWith("<134>1 2026-11-22T10:01:00.123456+00:00 d mutator - decky_mutated ", result.Line, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_EmptyLogFile_FailsNamingTheVariable()
    {
        var ex = Assert.Throws<ArgumentException>(() => new MutationEventEmitter(new MutationEventOptions { LogFile = "" }));

        Assert.Contains("DECNET_INGEST_LOG_FILE", ex.Message, StringComparison.Ordinal);
    }

    private MutationEventEmitter Emitter(string path, IBus bus)
        => new(new MutationEventOptions { LogFile = path }, bus, _clock, _logger);
}
