using System.Diagnostics;
using System.Net.Sockets;
using Decnet.Mutator.Events.Internal;
using Decnet.Mutator.Events.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Decnet.Mutator.Events.Tests.Emitting;

/// <summary>
/// Issue 12, items 5 and 10: the log path is opened with O_NOFOLLOW|O_NONBLOCK and only a regular file is written;
/// anything else is a soft failure with its reason, and the bus event is still published (docs/reliability.md).
/// </summary>
public sealed class HostileLogPathTests : IDisposable
{
    /// <summary>A failure bound only: a correct emit returns in milliseconds; a blocking open() never returns.</summary>
    private static readonly TimeSpan _hangBound = TimeSpan.FromSeconds(15);

    private readonly TempDirectory _temp = new();
    private readonly ListLogger<MutationEventEmitter> _logger = new();
    private readonly List<Process> _witnesses = [];

    public void Dispose()
    {
        foreach (var witness in _witnesses)
        {
            if (!witness.HasExited)
            {
                witness.Kill();
            }

            witness.Dispose();
        }

        _temp.Dispose();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Emit_LogPathIsSymlink_NothingWrittenThroughIt_RefusedWithReason_StillPublishes(bool dangling)
    {
        // A dangling link must not create its target either (O_CREAT alone would, through the link).
        var victim = _temp.File("victim");
        if (!dangling)
        {
            await File.WriteAllTextAsync(victim, "secret\n");
        }

        var log = _temp.File("decnet.log");
        File.CreateSymbolicLink(log, victim);

        await AssertRefusedButPublishedAsync(log, "a symbolic link");

        Assert.Equal(dangling ? null : "secret\n", File.Exists(victim) ? await File.ReadAllTextAsync(victim) : null);
        Assert.Single(_logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("symbolic link", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Emit_LogPathIsFifoWithoutReader_DoesNotHang_RefusedWithReason_StillPublishes()
    {
        var log = _temp.File("decnet.log");
        TestLibc.CreateFifo(log);
        await AssertRefusedButPublishedAsync(log, "a FIFO");
    }

    [Fact]
    public async Task Emit_LogPathIsFifoWithReader_NothingWrittenToIt_StillPublishes()
    {
        var log = _temp.File("decnet.log");
        TestLibc.CreateFifo(log);
        using var reader = TestLibc.OpenFifoReader(log);
        await AssertRefusedButPublishedAsync(log, "a FIFO");
    }

    [Fact]
    public async Task Emit_LogPathIsUnixSocket_RefusedWithReason_StillPublishes()
    {
        var log = _temp.File("decnet.log");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(log));
        await AssertRefusedButPublishedAsync(log, "a socket");
    }

    [Theory]
    [InlineData("/dev/null")]
    [InlineData("/dev/full")]
    public async Task Emit_LogPathIsCharacterDevice_RefusedWithReason_StillPublishes(string device)
    {
        await AssertRefusedButPublishedAsync(device, "a character device");
    }

    [Fact]
    public async Task Emit_RegularFileAfterRefusal_IsWritten()
    {
        // The refusal is per path and per event: the next emit to a plain file works as before.
        var bus = new RecordingBus();
        _ = await EmitBoundedAsync("/dev/null", bus);

        var result = await EmitBoundedAsync(_temp.File("decnet.log"), bus);

        Assert.True(result.Written, result.WriteError);
        Assert.True(DeckyMutatedEvent.TryParse(await File.ReadAllTextAsync(_temp.File("decnet.log")), out _, out var reason), reason);
    }

    [Fact]
    public async Task Emit_AppendLockHeldByAnotherProcess_WritesAfterABoundedWait()
    {
        // Anyone who can open the log for writing can lock it; the emitter's wait is bounded, so the line is still written.
        var log = _temp.File("decnet.log");
        await File.WriteAllTextAsync(log, string.Empty);
        var bus = new RecordingBus();
        MutationEmitResult result;
        using (TestLibc.OpenWriteLocked(log))
        {
            result = await EmitBoundedAsync(log, bus);
        }

        Assert.True(result.Written, result.WriteError);
        Assert.True(DeckyMutatedEvent.TryParse(await File.ReadAllTextAsync(log), out _, out var reason), reason);
        Assert.Single(bus.Published);
    }

    [Fact]
    public async Task Emit_ReadLeaseHeldByAnotherProcess_WaitsForTheLeaseBreak_AndWrites()
    {
        // A blocking open(2) waits while the holder gives the lease back; O_NONBLOCK's open fails at once with
        // EWOULDBLOCK instead, so the emitter must retry it (docs/mutation-events.md, "How the file is written").
        var log = _temp.File("decnet.log");
        await File.WriteAllTextAsync(log, string.Empty);
        var notified = StartLeaseBreakWitness();
        var bus = new RecordingBus();
        Task<MutationEmitResult> emit;
        using (TestLibc.HoldReadLease(log, notified.Id))
        {
            emit = EmitBoundedAsync(log, bus);

            // The lease break's SIGIO kills the notified process: the emitter's open has begun the break.
            await notified.WaitForExitAsync().WaitAsync(_hangBound);
        }

        var result = await emit;
        Assert.True(result.Written, result.WriteError);
        Assert.Equal(result.Line, await File.ReadAllTextAsync(log));
    }

    [Fact]
    public async Task Emit_ReadLeaseNeverGivenBack_FailsAfterTheBound_NamingTheLease_StillPublishes()
    {
        var log = _temp.File("decnet.log");
        await File.WriteAllTextAsync(log, string.Empty);
        var notified = StartLeaseBreakWitness();
        var bus = new RecordingBus();
        MutationEmitResult result;
        using (TestLibc.HoldReadLease(log, notified.Id))
        {
            result = await EmitBoundedAsync(log, bus);
        }

        Assert.Equal(MutationSyslogFailure.Open, result.WriteFailure);
        Assert.Equal(
            $"cannot open {log}: Resource temporarily unavailable (errno 11); another process holds a lease on it (Samba, nfsd) and did not give it back within 2 s",
            result.WriteError);
        Assert.Single(bus.Published);
        Assert.Equal(string.Empty, await File.ReadAllTextAsync(log));
    }

    [Fact]
    public async Task Emit_ReaderHoldsAReadLock_LineStillStartsWithTheMissingNewline_NextEventStandsAlone()
    {
        // A reader with read permission only can take F_RDLCK, so the emitter never gets its write lock; the fragment
        // an earlier short write could not end must still be ended, or it swallows this event (docs/mutation-events.md).
        var log = _temp.File("decnet.log");
        const string Fragment = "<134>1 2026-11-22T10:00:00.123456+00:00 decky-01 mutator - decky_mu";
        await File.WriteAllTextAsync(log, Fragment);
        var bus = new RecordingBus();
        MutationEmitResult result;
        using (TestLibc.OpenReadLocked(log))
        {
            result = await EmitBoundedAsync(log, bus);
        }

        Assert.True(result.Written, result.WriteError);
        Assert.Equal(Fragment + "\n" + result.Line, await File.ReadAllTextAsync(log));
    }

    [Fact]
    public async Task AppendLock_LogHeldOpenByADotNetReader_IsStillAcquired()
    {
        // .NET readers (a correlator tailing the log) hold flock(LOCK_SH) while the file is open; the append lock must
        // not conflict with it, or every emit would wait out the bound and skip the torn-fragment check.
        var log = _temp.File("decnet.log");
        await File.WriteAllTextAsync(log, string.Empty);
        using var reader = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var writer = File.OpenHandle(log, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);

        Assert.True(AppendLock.TryAcquire(writer));
    }

    /// <summary>A process for the lease break's SIGIO to kill; killed on dispose if it outlives the test (no break came).</summary>
    private Process StartLeaseBreakWitness()
    {
        var witness = Process.Start("sleep", "infinity");
        _witnesses.Add(witness);
        return witness;
    }

    private async Task AssertRefusedButPublishedAsync(string path, string kind)
    {
        var bus = new RecordingBus();

        var result = await EmitBoundedAsync(path, bus);

        Assert.False(result.Written);
        Assert.Contains($"it is {kind}", result.WriteError, StringComparison.Ordinal);
        Assert.Contains("only a regular file is accepted", result.WriteError, StringComparison.Ordinal);
        Assert.Single(bus.Published);
    }

    private async Task<MutationEmitResult> EmitBoundedAsync(string path, RecordingBus bus)
    {
        var emitter = new MutationEventEmitter(new MutationEventOptions { LogFile = path }, bus, new FakeTimeProvider(Samples.Timestamp), _logger);

        // Task.Run: a blocking open(2) must fail this test at the bound, not hang the test run.
        return await Task.Run(async () => await emitter.EmitAsync("decky-01", ["ssh"], ["http"], MutationTrigger.Operator)).WaitAsync(_hangBound);
    }
}
