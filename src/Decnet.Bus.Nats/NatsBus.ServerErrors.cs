using Decnet.Bus.Internal;
using Decnet.Bus.Nats.Internal;

namespace Decnet.Bus.Nats;

public sealed partial class NatsBus
{
    // What nats-server says when its permissions refuse a SUB or a PUB; the subject follows, quoted with Go's %q.
    private const string _subscribeRefusal = "Permissions Violation for Subscription to ";
    private const string _publishRefusal = "Permissions Violation for Publish to ";

    // What it says when a SUB would pass its max_subscriptions (or an account's limit); no subject follows.
    private const string _subscriptionLimit = "maximum subscriptions exceeded";

    private long _subscriptionLimitRefusals;
    private string? _lastPublishRefusal;

    /// <summary>
    /// The server's latest permissions <c>-ERR</c> for a publish (unescaped), or null: a short-lived publisher
    /// (<c>decnet pub</c>) reports it after <see cref="FlushAsync"/>, whose PONG is read after that <c>-ERR</c>.
    /// </summary>
    internal string? LastPublishRefusal => Volatile.Read(ref _lastPublishRefusal);

    /// <summary>
    /// Every <c>-ERR</c>, on the client's reading task before anything the server sent after it
    /// (<see cref="NatsClientLogTap"/>): a flush or a subscription's PING/PONG that returns afterwards sees it counted.
    /// </summary>
    private void OnServerError(string error)
    {
        // A server that found this client too slow says so (-ERR 'Slow Consumer') before it cuts the connection: count
        // it apart, so the reconnect that follows is never silent.
        if (error.Contains("slow consumer", StringComparison.OrdinalIgnoreCase))
        {
            Interlocked.Increment(ref _slowConsumer);
        }

        Interlocked.Increment(ref _serverErrors);
        if (error.StartsWith(_publishRefusal, StringComparison.Ordinal))
        {
            // The server keeps the connection and drops the event: a loss, counted like the UNIX broker's ACL refusal.
            Volatile.Write(ref _lastPublishRefusal, error);
            _counters.AddDropped();
        }
        else if (error.StartsWith(_subscribeRefusal, StringComparison.Ordinal))
        {
            RefuseSubscriptions(error);
        }
        else if (string.Equals(error, _subscriptionLimit, StringComparison.OrdinalIgnoreCase))
        {
            // The server keeps the connection and forgets the SUB; ConfirmSubscribedAsync pins it on the SUB in flight.
            Interlocked.Increment(ref _subscriptionLimitRefusals);
        }

        Log.ServerError(_logger, UntrustedText.Escape(error));
    }

    /// <summary>
    /// Marks every subscription to the subject a permissions <c>-ERR</c> names as refused and ends it (which UNSUBs
    /// it, so the client does not send it again on a reconnect). Runs on the client's reading task: the ending is
    /// handed to the thread pool.
    /// </summary>
    private void RefuseSubscriptions(string error)
    {
        // Compared unquoted: which runes Go's %q escapes depends on the Unicode tables of the Go that built the server.
        // A queue group, which this client never uses, would follow the subject after a space.
        var quoted = error.AsSpan(_subscribeRefusal.Length);
        if (!GoUnquote.TryUnquotePrefix(quoted, out var subject, out var length) || (length < quoted.Length && quoted[length] != ' '))
        {
            return;
        }

        foreach (var slot in _subscriptions.Keys)
        {
            if (string.Equals(slot.Pattern, subject, StringComparison.Ordinal) && slot.TryRefuse(BusSubscriptionRejectedException.PermissionDeniedCode, error))
            {
                _ = Task.Run(() => slot.Channel.DisposeAsync().AsTask());
            }
        }
    }
}
