using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Protocol.Python;

namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>
/// The Python bus's text protocol on a broker connection (docs/text-protocol.md). A text connection is an ordinary
/// connection to the hub (routes, drop-oldest queue, limits, stats row, heartbeats); only its frames differ: it sends
/// no ERR, WELCOME, SUBACK or PING, never receives its own publishes, and a malformed frame closes it silently (logged
/// and counted), as the Python broker drops it.
/// </summary>
internal sealed partial class BrokerConnection
{
    /// <summary>Set once, before the first frame, for a text-protocol connection; null for MessagePack.</summary>
    private TextSession? _text;

    /// <summary>
    /// Peeks the first byte and runs the matching protocol's receive loop; an unknown first byte closes the connection.
    /// </summary>
    private async Task ReceiveAnyProtocolAsync()
    {
        var limits = _hub.Limits;
        var started = _time.GetTimestamp();
        var first = await ProtocolSniffer.PeekFirstByteAsync(_socket, limits.HandshakeTimeout, _time, _abort.Token).ConfigureAwait(false);
        if (first == ProtocolSniffer.TimedOut)
        {
            throw new ProtocolException(BusErrorCode.HandshakeRequired, $"no HELLO within {limits.HandshakeTimeout.TotalSeconds:0.###} s");
        }

        if (first == ProtocolSniffer.Closed)
        {
            return;
        }

        var left = limits.HandshakeTimeout == Timeout.InfiniteTimeSpan
            ? Timeout.InfiniteTimeSpan
            : TimeSpan.FromTicks(Math.Max(0, (limits.HandshakeTimeout - _time.GetElapsedTime(started)).Ticks));
        if (first == 0)
        {
            await ReceiveLoopAsync(left).ConfigureAwait(false);
            return;
        }

        if (!ProtocolSniffer.IsText(first))
        {
            // Neither protocol: no reply (the peer would not understand it), a log line and the unknown_protocol
            // counter.
            TextLog.UnknownProtocol(_logger, Credentials.Pid, Credentials.Uid, first);
            _hub.CountRejection(BusErrorCode.UnknownProtocol);
            ProtocolSniffer.DiscardBuffered(_socket);
            _outbound.BeginClose([], discardEvents: true);
            return;
        }

        _text = new TextSession();
        _outbound.UseText(_text, WriteTextEvts);
        Echo = false;
        await ReceiveTextLoopAsync(left).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads text frames until EOF, BYE, a malformed frame or abort. The first complete frame (HELLO is optional in the
    /// Python protocol) must arrive within the handshake timeout; afterwards a silent connection may stay forever (a
    /// Python subscriber never speaks again, and the protocol has no PING), but a frame once begun must be complete
    /// within the idle timeout, so trickling bytes cannot hold a slot.
    /// </summary>
    private async Task ReceiveTextLoopAsync(TimeSpan handshakeLeft)
    {
        var batch = _batch = new ReadBatch(_hub, this);
        var reader = PipeReader.Create(
            new NetworkStream(_socket, ownsSocket: false),
            new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 4096, leaveOpen: true, useZeroByteReads: true));
        var limits = _hub.Limits;
        var armed = true;
        using var deadline = new ReadDeadline(_time, reader, handshakeLeft);
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
                    while (TextFrameReader.TryParse(ref buffer, out var frame))
                    {
                        handled = true;
                        if (!HandleText(frame))
                        {
                            return;
                        }

                        if (batch.ShouldPause)
                        {
                            paused = true;
                            break;
                        }
                    }

                    if (result.IsCompleted && !paused)
                    {
                        if (!buffer.IsEmpty)
                        {
                            throw new ProtocolException(BusErrorCode.BadFrame, $"the connection closed {buffer.Length} bytes into a frame");
                        }

                        return;
                    }
                }
                finally
                {
                    // Once per read, as for MessagePack: the routed events go into their queues, each destination is
                    // flushed once.
                    batch.Complete(drained: buffer.IsEmpty && !paused);
                    reader.AdvanceTo(buffer.Start, paused ? buffer.Start : buffer.End);
                }

                await batch.CatchUpAsync(_time, _abort.Token).ConfigureAwait(false);

                var partial = !buffer.IsEmpty && !paused;
                if (handled)
                {
                    armed = partial;
                    deadline.Set(partial ? limits.IdleTimeout : Timeout.InfiniteTimeSpan);
                }
                else if (result.IsCanceled && deadline.TakeHit())
                {
                    throw _handshaken
                        ? new ProtocolException(BusErrorCode.IdleTimeout, $"a frame stayed incomplete for {limits.IdleTimeout.TotalSeconds:0.###} s")
                        : new ProtocolException(BusErrorCode.HandshakeRequired, $"no complete frame within {limits.HandshakeTimeout.TotalSeconds:0.###} s");
                }
                else if (partial && !armed)
                {
                    armed = true;
                    deadline.Set(limits.IdleTimeout);
                }
            }
        }
        finally
        {
            batch.ReleaseAll();
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Handles one text frame; false when the client said BYE.</summary>
    private bool HandleText(in TextFrame frame)
    {
        if (!_handshaken)
        {
            _handshaken = true;
            _hub.Handshaken(this);
        }

        switch (frame.Verb)
        {
            case TextVerb.Hello:
                // The Python broker keeps the last name it was given, and an empty one changes nothing.
                if (frame.Args.Length > 0)
                {
                    // Cut, then escaped (a MessagePack client's name with a control character is refused instead).
                    var name = CutName(frame.Args);
                    Name = UntrustedText.IndexOfControl(name) < 0 ? name : UntrustedText.Escape(name);
                    _hub.Changed();
                }

                BrokerLog.ClientConnected(_logger, Name, Credentials.Pid, Credentials.Uid);
                return true;
            case TextVerb.Sub:
                SubscribeText(frame.Args);
                return true;
            case TextVerb.Unsub:
                UnsubscribeText(frame.Args);
                return true;
            case TextVerb.Pub:
                PublishText(frame.Args, frame.Body);
                return true;
            case TextVerb.Bye:
                return false;
            default:
                // TextFrameReader returns no other verb: a client's EVT is refused at its header.
                throw new UnreachableException($"text verb {frame.Verb}");
        }
    }

    private void SubscribeText(string pattern)
    {
        if (pattern.Length == 0)
        {
            throw new ProtocolException(BusErrorCode.InvalidPattern, "SUB requires a pattern");
        }

        var limits = _hub.Limits;
        if (PythonTopicRules.DescribePatternError(pattern, limits) is { } error)
        {
            throw new ProtocolException(BusErrorCode.InvalidPattern, error);
        }

        if (_subscriptions.AddPattern(pattern, _text!) is { } refusal)
        {
            throw new ProtocolException(BusErrorCode.TooManySubscriptions, refusal);
        }
    }

    private void UnsubscribeText(string pattern) => _subscriptions.RemovePattern(pattern, _text!);

    private void PublishText(string topic, ReadOnlySequence<byte> body)
    {
        if (topic.Length == 0)
        {
            throw new ProtocolException(BusErrorCode.InvalidTopic, "PUB requires a topic");
        }

        if (PythonTopicRules.DescribeTopicError(topic, _hub.Limits) is { } invalid)
        {
            throw new ProtocolException(BusErrorCode.InvalidTopic, invalid);
        }

        using var tail = new PooledBufferWriter(256 + (int)body.Length);
        var timestamp = (_time.GetUtcNow() - DateTimeOffset.UnixEpoch).TotalSeconds;
        var limit = _hub.Limits.MaxFrameBytes;
        if ((TextPublish.TryWriteTail(body, timestamp, tail) ?? TextPublish.DescribeOversizedPub(topic.Length, tail.WrittenCount, limit)) is { } untranslatable)
        {
            if (CountUntranslatable())
            {
                TextLog.UntranslatablePublish(_logger, topic, Name, Credentials.Pid, untranslatable);
            }

            return;
        }

        var refused = _hub.Publish(_batch!, this, Credentials, new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(topic)), new ReadOnlySequence<byte>(tail.WrittenMemory));
        if (refused is { } rejection)
        {
            // Checked above, so only an ACL refusal is left: the publish is dropped, the connection stays (as a
            // MessagePack client's does, docs/wire-protocol.md §6), counted, and logged once per connection.
            _hub.CountRejection(rejection.Code);
            if (!_text!.RefusalLogged)
            {
                _text.RefusalLogged = true;
                TextLog.PublishRefused(_logger, Name, Credentials.Pid, rejection.Message);
            }
        }
    }

    /// <summary>
    /// Writes the EVT frames just taken from the queue (<see cref="TextSession.Taken"/>, MessagePack as every
    /// subscriber's queue holds them) into <paramref name="batch"/> as text EVTs; one with no text form is dropped and
    /// counted, as a drop of this subscriber's and an untranslatable event (docs/text-protocol.md).
    /// </summary>
    private void WriteTextEvts(PooledBufferWriter batch)
    {
        var taken = _text!.Taken;
        var frames = taken.WrittenMemory;
        while (!frames.IsEmpty)
        {
            var length = ProtocolConstants.HeaderSize + (int)BinaryPrimitives.ReadUInt32BigEndian(frames.Span);
            if (TextEvtWriter.TryWriteEvt(batch, frames[..length]) is { } reason)
            {
                _outbound.CountDropped(1);
                _hub.CountDropped(1);
                if (CountUntranslatable())
                {
                    TextLog.UntranslatableEvent(_logger, Name, Credentials.Pid, reason);
                }
            }

            frames = frames[length..];
        }

        // Handed back at once: a Python subscriber's queue is not the hot path, and an idle one then holds nothing.
        taken.Release();
    }

    /// <summary>Counts an untranslatable event; true for the first on this connection, which the caller logs.</summary>
    private bool CountUntranslatable()
    {
        _hub.CountRejection(BusErrorCode.Untranslatable);
        if (_text!.UntranslatableLogged)
        {
            return false;
        }

        _text.UntranslatableLogged = true;
        return true;
    }
}
