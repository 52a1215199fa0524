using System.Net.Sockets;
using Decnet.Bus.Unix.Protocol;
using Microsoft.Extensions.Logging;

namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>
/// One client as the broker sees it: its identity and protocol state, its subscriptions, and a receive loop that
/// parses and handles frames. What it has to send, and the one writer of its socket, are its <see cref="OutboundQueue"/>.
/// </summary>
internal sealed partial class BrokerConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly BrokerHub _hub;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _abort = new();
    private readonly OutboundQueue _outbound;
    private readonly SubscriptionBook _subscriptions;

    private int _handshakePending = 1;
    private long _published;

    public BrokerConnection(long id, Socket socket, PeerCredentials credentials, BrokerHub hub, ILogger logger, TimeProvider time)
    {
        Id = id;
        _socket = socket;
        Credentials = credentials;
        _hub = hub;
        _logger = logger;
        _time = time;
        MaxFrame = hub.Limits.MaxFrameBytes;
        _outbound = new OutboundQueue(socket, hub, time, _abort);
        _subscriptions = new SubscriptionBook(hub, this);
    }

    public long Id { get; }

    public PeerCredentials Credentials { get; }

    /// <summary>The name from HELLO; empty until the handshake.</summary>
    public string Name { get; private set; } = string.Empty;

    /// <summary>Whether this client receives its own publishes (HELLO echo flag).</summary>
    public bool Echo { get; private set; } = true;

    public int MaxFrame { get; private set; }

    /// <summary>What this connection has to send (events, control replies, the final frame), and its socket's writer.</summary>
    public OutboundQueue Outbound => _outbound;

    /// <summary>The kernel send buffer this connection's socket has (SO_SNDBUF as Linux reports it), for tests.</summary>
    internal int KernelSendBuffer => _socket.SendBufferSize;

    public void CountPublished(long count) => Interlocked.Add(ref _published, count);

    /// <summary>True the first time only: the connection stops counting as handshaking (HELLO, or its end).</summary>
    public bool LeaveHandshake() => Interlocked.Exchange(ref _handshakePending, 0) == 1;

    /// <summary>Stops accepting events, flushes what is queued, then sends BYE and half-closes (broker shutdown).</summary>
    public void CloseGracefully() => _outbound.BeginClose(_text is null ? Encode(static b => FrameWriter.WriteSimple(b, FrameKind.Bye)) : TextEvtWriter.Bye, discardEvents: false);

    /// <summary>Discards queued events and sends ERR (nothing to a Python client: its protocol has none), then half-closes (protocol violation).</summary>
    public void CloseWithError(BusErrorCode code, string message)
        => _outbound.BeginClose(_text is null ? Encode(b => FrameWriter.WriteErr(b, code, message)) : [], discardEvents: true);

    /// <summary>Tears the connection down now, without flushing.</summary>
    public void Abort() => _abort.Cancel();

    /// <summary>
    /// This connection's row. Takes no lock (a STATS reply reads every connection): the queue figures are read as
    /// plain volatile fields and may be a moment apart from each other.
    /// </summary>
    public BrokerConnectionStats Snapshot()
    {
        var queued = _outbound.Queued;
        var queuedBytes = Math.Max(0, _outbound.QueuedBytes);
        return new BrokerConnectionStats(
            Name,
            Credentials.Pid,
            Credentials.Uid,
            Credentials.Gid,
            _subscriptions.Count,
            queued,
            _outbound.Dropped,
            _outbound.Delivered,
            Interlocked.Read(ref _published))
        {
            QueuedBytes = queuedBytes,
            Protocol = _text is null ? BrokerConnectionStats.MessagePackProtocol : BrokerConnectionStats.PythonProtocol,
        };
    }

    /// <summary>Hands the subscriptions over for removal from the routing table (once the receive loop has ended).</summary>
    public List<KeyValuePair<uint, string>> TakeSubscriptions() => _subscriptions.TakeAll();

    /// <summary>Runs the connection until the client leaves, breaks the protocol, or the broker stops it.</summary>
    public async Task RunAsync(TimeSpan flushBound)
    {
        var send = SendLoopAsync();
        try
        {
            await ReceiveAnyProtocolAsync().ConfigureAwait(false);
        }
        catch (ProtocolException ex)
        {
            BrokerLog.ProtocolViolation(_logger, Name, Credentials.Pid, ex.Code.ToString(), ex.Message);
            _hub.CountRejection(ex.Code);
            CloseWithError(ex.Code, ex.Message);
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            BrokerLog.ConnectionFailed(_logger, Name, Credentials.Pid, ex.Message);
        }
#pragma warning disable CA1031 // One client must never take the broker down; anything unexpected is a bug, logged as an error.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            BrokerLog.ConnectionBug(_logger, Name, Credentials.Pid, ex);
            CloseWithError(BusErrorCode.BadFrame, "internal error while handling a frame");
        }
        finally
        {
            _hub.Unregister(this);
        }

        if (!_outbound.IsClosing)
        {
            // The client left (EOF or BYE): nothing more to send.
            _abort.Cancel();
        }

        try
        {
            await send.WaitAsync(flushBound, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await _abort.CancelAsync().ConfigureAwait(false);
        }

        await DisposeAsync().ConfigureAwait(false);
        BrokerLog.ClientDisconnected(_logger, Name, Credentials.Pid);
    }

    public async ValueTask DisposeAsync()
    {
        await _abort.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        _outbound.Dispose();
    }

    private static byte[] Encode(Action<PooledBufferWriter> write)
    {
        using var buffer = new PooledBufferWriter(64);
        write(buffer);
        return buffer.WrittenSpan.ToArray();
    }
}
