using System.Diagnostics;
using Decnet.Bus;
using Decnet.Bus.Nats;
using Decnet.Bus.Unix;

namespace Decnet.Cli.Bus;

/// <summary>
/// Whether the event <c>decnet pub</c> published reached the bus, so that its exit 0 can be trusted: the flush was
/// answered (the broker's PONG after routing it, or NATS's PONG), on the connection that carried the publish, and the
/// client dropped nothing. The flush alone proves too little: a publish made while the connection was down is dropped
/// and counted, never thrown, and a flush made then may be answered on the next connection.
/// </summary>
internal sealed class PublishConfirmation
{
    private static readonly TimeSpan _timerSlack = TimeSpan.FromMilliseconds(50);
    private static readonly string _noReply = $"no flush reply within {NatsClientCommand.ConnectBound.TotalSeconds:0} s";

    private readonly IBus _bus;
    private readonly long _connection;
    private readonly long _dropped;

    private PublishConfirmation(IBus bus)
    {
        _bus = bus;
        _connection = ConnectionOf(bus);
        _dropped = bus.Counters.Dropped;
    }

    /// <summary>Notes the connection and the dropped count; taken right before the publish.</summary>
    public static PublishConfirmation Before(IBus bus) => new(bus);

    /// <summary>Where the event went, for the line on stderr: the broker's socket or the NATS URLs (they carry no
    /// credentials: the options refuse a URL with user information).</summary>
    public static string Describe(IBus bus, DecnetBusOptions options) => UntrustedText.Escape(bus switch
    {
        UnixSocketBus unix => $"the broker at {unix.SocketPath}",
        _ => $"NATS at {NatsClientCommand.Describe(options)}",
    });

    /// <summary>
    /// Waits until everything published so far has been routed, at most <see cref="NatsClientCommand.ConnectBound"/>;
    /// null when that is proven, else why not, as words for the line on stderr.
    /// </summary>
    public async Task<string?> FlushAsync(CancellationToken cancellationToken)
    {
        switch (_bus)
        {
            case UnixSocketBus unix:
                // Bounded like NATS's: the keepalive would give a hung broker up only after about three intervals,
                // and never with DECNET_BUS_KEEPALIVE_S=0, so a script's pub would hang with it.
                using (var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    bound.CancelAfter(NatsClientCommand.ConnectBound);
                    try
                    {
                        await unix.FlushAsync(bound.Token).ConfigureAwait(false);
                    }
                    catch (BusUnavailableException)
                    {
                        return "the connection was lost before the flush reply";
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        return _noReply;
                    }
                }

                break;
            case NatsBus nats:
                var started = Stopwatch.GetTimestamp();
                if (!await nats.FlushAsync(NatsClientCommand.ConnectBound, cancellationToken).ConfigureAwait(false))
                {
                    // Told apart by the time taken: the client may have reconnected since, so IsConnected cannot say.
                    // The bound's timer counts on the coarse tick clock, a few milliseconds behind the stopwatch.
                    return Stopwatch.GetElapsedTime(started) >= NatsClientCommand.ConnectBound - _timerSlack
                        ? _noReply
                        : "the connection was lost before the flush reply";
                }

                break;
        }

        if (ConnectionOf(_bus) != _connection)
        {
            return "the connection was lost between the publish and the flush reply";
        }

        return _bus.Counters.Dropped != _dropped ? "the client dropped it: the connection was down" : null;
    }

    /// <summary>
    /// A number that changes when the connection is lost. The UNIX client counts it before failing the flushes; the
    /// NATS client in its disconnect handler, which the NATS library runs apart, so a loss and a reconnect both within
    /// the flush might, in principle, go unseen (the reconnect waits at least DECNET_BUS_RECONNECT_MIN_MS first).
    /// </summary>
    private static long ConnectionOf(IBus bus) => bus switch
    {
        UnixSocketBus unix => unix.ConnectionsEnded,
        NatsBus nats => nats.GetStats().Disconnects,
        _ => 0,
    };
}
