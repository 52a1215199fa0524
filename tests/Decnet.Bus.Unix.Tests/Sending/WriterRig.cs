using Decnet.Bus.Unix.Client.Internal;
using Decnet.Bus.Unix.Sending;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Sending;

/// <summary>
/// A <see cref="SocketWriter"/> over a real socket pair, with the source it drains and its loop: the set-up every writer
/// test shares, torn down together (the loop cancelled and awaited before the writer and the sockets go). With
/// <paramref name="ownThread"/> the loop runs on a thread of its own (<see cref="SocketWriter.Run"/>), as a client's does.
/// </summary>
internal sealed class WriterRig(bool ownThread = false) : IAsyncDisposable
{
    public QueueSource Source { get; } = new();

    public CancellationTokenSource Abort { get; } = new();

    public SocketPair Pair { get; private set; } = null!;

    public SocketWriter Writer { get; private set; } = null!;

    /// <summary>The running loop, once a test starts it.</summary>
    public Task<SendEnd> Loop { get; set; } = Task.FromResult(SendEnd.Aborted);

    /// <summary>A new writer on <paramref name="pair"/>'s local side (a previous pair is disposed).</summary>
    public void Use(SocketPair pair, TimeSpan? stall = null, TimeProvider? time = null, bool yieldAfterSend = false)
    {
        Pair?.Dispose();
        Pair = pair;
        Writer = new SocketWriter(pair.Local, Source, stall ?? Timeout.InfiniteTimeSpan, time ?? TimeProvider.System, releaseWhenParked: true, yieldAfterSend: yieldAfterSend, ownThread: ownThread);
        Source.Writer = Writer;
    }

    /// <summary>Starts the loop: on the pool, or on a thread of its own.</summary>
    public void Start()
    {
        var writer = Writer;
        var token = Abort.Token;
        Loop = ownThread ? OwnThread.Start("test-send", () => writer.Run(token)) : writer.RunAsync(token);
    }

    public async ValueTask DisposeAsync()
    {
        await Abort.CancelAsync();
        if (ownThread)
        {
            Pair?.ShutDownLocal(); // as a client's abort does: a send waiting for room wakes only for that
        }

        await Loop.WaitAsync(TestBroker.Bound);
        Writer?.Dispose();
        Pair?.Dispose();
        Abort.Dispose();
    }
}
