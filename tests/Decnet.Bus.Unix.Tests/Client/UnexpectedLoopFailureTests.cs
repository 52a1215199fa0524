using System.Collections.Concurrent;
using Decnet.Bus.Internal;
using Decnet.Bus.Unix.Client.Internal;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// An exception no outage explains (a bug) that ends the receive loop reaches the log once, with its stack, and nothing
/// in the log is left raw: the connection's owner may have put the broker's text into it.
/// </summary>
public sealed class UnexpectedLoopFailureTests
{
    [Fact]
    public async Task ABugInTheReceiveLoop_IsLoggedOnceWithTheExceptionObject()
    {
        var log = new RecordingLogger<UnixSocketBus>();
        await using var connection = await ConnectWithFailingLookupAsync(log, "a bug in the lookup");

        await log.WaitForAsync(l => l.Contains("Lost the bus broker", StringComparison.Ordinal));

        var logged = Assert.Single(log.Exceptions);
        Assert.IsType<LookupBugException>(logged);
        Assert.Contains(nameof(FailingLookup), logged.StackTrace, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABugInTheReceiveLoop_WhoseMessageNeedsEscaping_IsLoggedWithItsStack_AndNothingRaw()
    {
        var log = new RecordingLogger<UnixSocketBus>();
        await using var connection = await ConnectWithFailingLookupAsync(log, "a bug quoting \u001b[2J\r\nfake line");

        await log.WaitForAsync(l => l.Contains("Lost the bus broker", StringComparison.Ordinal));

        var line = Assert.Single(log.Lines, l => l.Contains(nameof(LookupBugException), StringComparison.Ordinal)
            && l.Contains(nameof(FailingLookup), StringComparison.Ordinal));
        Assert.Contains("\\u001B[2J", line, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(log.Lines, UntrustedText.NeedsEscaping);
        Assert.DoesNotContain(log.Exceptions, e => UntrustedText.NeedsEscaping(e.Message));
    }

    /// <summary>
    /// Connects with a subscription lookup that throws when the receive loop asks it (on SUBACK), not when the
    /// subscribing thread does, and subscribes once.
    /// </summary>
    private static async Task<ClientConnection> ConnectWithFailingLookupAsync(RecordingLogger<UnixSocketBus> log, string message)
    {
        await using var broker = await TestBroker.StartAsync();
        using var timeout = new CancellationTokenSource(TestBroker.Bound);
        var outbox = new ClientOutbox(1 << 20, 1024);
        var queue = new ChannelSubscription("bug.test", 1, null, null);
        var subscription = new ClientSubscription(1, "bug.test", queue);
        // The Thread object, not its managed id: .NET gives a dead thread's id to a new one, and the receive thread
        // once got the id of a thread this test had run on, so the lookup returned on it and the loop never failed.
        Thread? subscriber = null;
        var calls = new ConcurrentQueue<string>();
        var connection = await DirectConnection.ConnectAsync(
            broker.SocketPath,
            new HelloMessage(ProtocolConstants.Version, "bug-test", Echo: false, QueueSize: 16, MaxFrame: 0),
            outbox,
            sid => FailingLookup(subscription, subscriber, message, calls),
            log,
            timeout.Token);
        outbox.Attach(connection.Writer);
        connection.Start();
        subscriber = Thread.CurrentThread;
        _ = connection.SubscribeAsync(subscription);
        try
        {
            await connection.Completion.WaitAsync(TestBroker.Bound);
        }
        catch (TimeoutException)
        {
            // Say where the connection stood (this timed out in CI while the lookup compared recycled thread ids).
            Assert.Fail($"the connection did not end; lookups: [{string.Join(", ", calls)}]; log: [{UntrustedText.Escape(string.Join(" | ", log.Lines))}]");
        }

        return connection;
    }

    private static ClientSubscription FailingLookup(ClientSubscription subscription, Thread? subscriber, string message, ConcurrentQueue<string> calls)
    {
        var thread = Thread.CurrentThread;
        var ours = ReferenceEquals(thread, subscriber);
        calls.Enqueue($"{thread.Name ?? "unnamed"} #{thread.ManagedThreadId} {(ours ? "returned" : "threw")}");
        return ours ? subscription : throw new LookupBugException(message);
    }

    private sealed class LookupBugException(string message) : Exception(message);
}
