using System.IO.Pipelines;
using System.Net.Sockets;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Broker.Internal;

internal sealed partial class BrokerConnection
{
    /// <summary>PONG is always the same bytes; one shared array serves every reply.</summary>
    private static readonly byte[] _pongFrame = Encode(static b => FrameWriter.WriteSimple(b, FrameKind.Pong));

    private bool _handshaken;
    private ReadBatch? _batch;
    private bool _rejectionLogged;

    /// <summary>The routing buffers the connection's read state holds now (for tests; read it while the connection is idle).</summary>
    internal long RetainedRoutingBytes => Volatile.Read(ref _batch)?.RetainedBytes ?? 0;

    /// <summary>
    /// Reads and handles frames until EOF, BYE, a protocol error or abort. A timer enforces HELLO within the handshake
    /// timeout; after it, each read that handles a whole frame tells the broker's idle sweep (<see cref="IdleWatch"/>),
    /// which PINGs a quiet client and asks for a cut when the PING goes unanswered. Only whole frames count, so
    /// trickling a byte at a time cannot hold a slot forever. Both wake the read with
    /// <see cref="PipeReader.CancelPendingRead"/>, which leaves the reader usable.
    /// </summary>
    private async Task ReceiveLoopAsync(TimeSpan handshakeLeft)
    {
        var batch = _batch = new ReadBatch(_hub, this);
        var reader = PipeReader.Create(
            new NetworkStream(_socket, ownsSocket: false),
            // Zero-byte reads: an idle connection waits for data without holding a rented read buffer.
            new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 4096, leaveOpen: true, useZeroByteReads: true));
        Volatile.Write(ref _reader, reader);
        var limits = _hub.Limits;
        var handshakeTimed = true;
        using var timer = _time.CreateTimer(static state => ((PipeReader)state!).CancelPendingRead(), reader, handshakeLeft, Timeout.InfiniteTimeSpan);
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(_abort.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                var handled = false;
                var paused = false;
                try
                {
                    while (true)
                    {
                        // A run that throws (a malformed PUB) ends the connection, so the frames it routed before the
                        // throw need not be marked consumed.
                        if (_handshaken && PublishRun(buffer.FirstSpan, batch) is > 0 and var run)
                        {
                            handled = true;
                            buffer = buffer.Slice(run);
                            if (batch.ShouldPause)
                            {
                                paused = true;
                                break;
                            }
                        }

                        if (!FrameReader.TryParse(ref buffer, MaxFrame, out var frame))
                        {
                            break;
                        }

                        handled = true;
                        if (!Handle(frame))
                        {
                            return;
                        }

                        if (batch.ShouldPause)
                        {
                            // A destination is behind: the rest of this read waits for it (below), unconsumed.
                            paused = true;
                            break;
                        }
                    }

                    if (handled && _handshaken)
                    {
                        if (handshakeTimed)
                        {
                            // From HELLO on, the idle sweep keeps the time.
                            handshakeTimed = false;
                            timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                        }

                        // Counted before this read's replies are flushed (below): a peer that has its PONG has had its
                        // frames counted.
                        _idle.Active(_time.GetTimestamp());
                    }

                    if (result.IsCompleted && !paused)
                    {
                        return;
                    }
                }
                finally
                {
                    // Once per read: the routed events go into their queues and each destination is flushed once.
                    // After a pause nothing was examined past the last frame, so the next read returns the rest at once.
                    batch.Complete(drained: buffer.IsEmpty && !paused);
                    reader.AdvanceTo(buffer.Start, paused ? buffer.Start : buffer.End);
                }

                await batch.CatchUpAsync(_time, _abort.Token).ConfigureAwait(false);

                // Before HELLO only the handshake timer cancels a read: the idle sweep leaves a connection alone until then.
                if (result.IsCanceled && !_handshaken)
                {
                    throw new ProtocolException(BusErrorCode.HandshakeRequired, $"no HELLO within {limits.HandshakeTimeout.TotalSeconds:0.###} s");
                }

                if (result.IsCanceled && _idle.TakeCut())
                {
                    throw new ProtocolException(BusErrorCode.IdleTimeout, $"no frame for {limits.IdleTimeout.TotalSeconds:0.###} s, not even a PONG to the broker's PING");
                }
            }
        }
        finally
        {
            batch.ReleaseAll();
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Routes the run of whole canonical PUBs at the start of <paramref name="bytes"/> straight from the receive
    /// buffer (a publisher's read is nearly all of them), stopping early when a destination falls behind; returns the
    /// bytes consumed.
    /// </summary>
    private int PublishRun(ReadOnlySpan<byte> bytes, ReadBatch batch)
    {
        var at = 0;
        while (FrameReader.TryReadCanonicalPub(bytes[at..], MaxFrame, out var length, out var topic, out var tail))
        {
            var elements = bytes[at + ProtocolConstants.HeaderSize] & 0x0f; // the canonical head's fixarray
            at += length;
            if (_hub.Publish(batch, this, Credentials, topic, tail, elements) is { } refused)
            {
                Reject(refused, FrameKind.Pub, 0);
            }

            if (batch.ShouldPause)
            {
                break;
            }
        }

        return at;
    }

    /// <summary>Handles one frame; false when the client said BYE.</summary>
    private bool Handle(in Frame frame)
    {
        if (!_handshaken)
        {
            if (frame.Kind != FrameKind.Hello)
            {
                throw new ProtocolException(BusErrorCode.HandshakeRequired, "the first frame must be HELLO");
            }

            HandleHello(FrameDecoder.ReadHello(frame.Body));
            return true;
        }

        if (frame.Kind == FrameKind.Pub)
        {
            if (_hub.Publish(_batch!, this, Credentials, frame.Topic, frame.Tail, frame.Elements) is { } refused)
            {
                Reject(refused, FrameKind.Pub, 0);
            }

            return true;
        }

        // Any other request sees every event routed before it queued (a PING's PONG leaves after them, STATS counts
        // them, a SUB's SUBACK comes after events of the routes before it): commit what this read has staged.
        _batch!.Commit();
        switch (frame.Kind)
        {
            case FrameKind.Sub:
                if (HandleSub(frame.Sid, frame.Topic) is { } rejected)
                {
                    Reject(rejected, FrameKind.Sub, frame.Sid);
                }

                return true;
            case FrameKind.Unsub:
                HandleUnsub(frame.Sid);
                return true;
            case FrameKind.Ping:
                // A barrier: the PONG leaves after every EVT queued for this connection before the PING was read. A
                // parked writer gets it from this thread at the end of the read: a keepalive round costs each idle
                // connection one wake-up (this read), not two.
                if (_outbound.EnqueueAndClaim(_pongFrame, barrier: true))
                {
                    _batch!.FlushReplyAfterRead(_outbound);
                }

                return true;
            case FrameKind.Pong:
                return true;
            case FrameKind.Stats:
                if (_outbound.EnqueueStatsReply(_hub.StatsReply))
                {
                    _batch!.FlushReplyAfterRead(_outbound);
                }

                return true;
            case FrameKind.Bye:
                return false;
            default:
                throw new ProtocolException(BusErrorCode.BadFrame, $"a client may not send {FrameReader.Name(frame.Kind)}");
        }
    }

    /// <summary>
    /// A client's name as the broker keeps it (docs/wire-protocol.md §4.1): its first 128 characters, 127 when the 128th
    /// would split a surrogate pair. Cut before anything escapes it, so an escape is never cut in half.
    /// </summary>
    private static string CutName(string name) => UntrustedText.Cut(name, DecnetBusOptionsValidator.MaxClientNameLength);

    private void HandleHello(HelloMessage hello)
    {
        if (hello.Version != ProtocolConstants.Version)
        {
            throw new ProtocolException(BusErrorCode.ProtocolVersion, $"client speaks version {hello.Version}; this broker speaks {ProtocolConstants.Version}");
        }

        var control = UntrustedText.IndexOfControl(hello.Name);
        if (control >= 0)
        {
            // A name is printed by `decnet stats` and logged: a CR or ESC in it would forge rows and lines.
            throw new ProtocolException(
                BusErrorCode.BadFrame,
                $"HELLO name \"{UntrustedText.Excerpt(hello.Name)}\" contains a control character (U+{(int)hello.Name[control]:X4}); a name is one line of text");
        }

        var limits = _hub.Limits;
        Name = CutName(hello.Name);
        Echo = hello.Echo;
        _outbound.ReportsLost = hello.ReportLost;
        var queueSize = _outbound.QueueSize = hello.QueueSize > 0 ? Math.Min(hello.QueueSize, ProtocolConstants.MaxQueueSize) : limits.QueueSize;
        MaxFrame = hello.MaxFrame > 0 ? Math.Clamp(hello.MaxFrame, ProtocolConstants.MinMaxFrame, limits.MaxFrameBytes) : limits.MaxFrameBytes;
        _handshaken = true;
        _hub.Handshaken(this);
        var welcome = new WelcomeMessage(ProtocolConstants.Version, _hub.Credentials.Pid, MaxFrame, limits.MaxTopicBytes, limits.MaxSubscriptionsPerConnection, queueSize);
        _outbound.EnqueueControl(Encode(b => FrameWriter.WriteWelcome(b, welcome)));
        BrokerLog.ClientConnected(_logger, Name, Credentials.Pid, Credentials.Uid);
    }

    /// <summary>Adds or replaces a subscription; returns why it was refused (the connection stays), or null.</summary>
    private RequestRejection? HandleSub(uint sid, System.Buffers.ReadOnlySequence<byte> patternUtf8)
    {
        var limits = _hub.Limits;
        if (patternUtf8.Length > limits.MaxTopicBytes)
        {
            return new RequestRejection(BusErrorCode.InvalidPattern, $"subscription {sid}: pattern of {patternUtf8.Length} bytes; the limit is {limits.MaxTopicBytes} UTF-8 bytes");
        }

        var pattern = TopicText.DecodePattern(patternUtf8);
        if (pattern is null)
        {
            return new RequestRejection(BusErrorCode.InvalidPattern, $"subscription {sid}: the pattern is not valid UTF-8");
        }

        if (Topics.DescribePatternError(pattern) is { } error)
        {
            return new RequestRejection(BusErrorCode.InvalidPattern, $"subscription {sid}: invalid pattern \"{UntrustedText.Excerpt(pattern)}\": {error}");
        }

        if (pattern.AsSpan().Count('.') + 1 > limits.MaxPatternTokens)
        {
            return new RequestRejection(BusErrorCode.InvalidPattern, $"subscription {sid}: more than {limits.MaxPatternTokens} tokens in the pattern");
        }

        var subAck = Encode(b => FrameWriter.WriteSubAck(b, sid));
        if (_subscriptions.Set(sid, pattern, subAck) is { } refusal)
        {
            return new RequestRejection(BusErrorCode.TooManySubscriptions, $"subscription {sid}: {refusal}");
        }

        return null;
    }

    /// <summary>
    /// Answers a refused request with an ERR naming it and keeps the connection, as nats-server answers a permissions
    /// violation: closing would make a client reconnect, re-send the same request and be refused again, forever. The
    /// first refusal per connection is logged; every one is counted. An ERR is a control frame, so a client that
    /// floods refused requests without reading is cut by the control backlog bound (ERR 9) like any other.
    /// </summary>
    private void Reject(RequestRejection rejection, FrameKind request, uint sid)
    {
        if (!_rejectionLogged)
        {
            _rejectionLogged = true;
            BrokerLog.RequestRejected(_logger, Name, Credentials.Pid, rejection.Code.ToString(), rejection.Message);
        }

        _hub.CountRejection(rejection.Code);
        var frame = Encode(b => FrameWriter.WriteRequestErr(b, rejection.Code, rejection.Message, request, sid));
        _outbound.EnqueueRefusal(frame, forPublish: request == FrameKind.Pub);
    }

    private void HandleUnsub(uint sid) => _subscriptions.Remove(sid);
}
