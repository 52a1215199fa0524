using System.Buffers;
using System.Threading.Channels;

namespace Decnet.Bus.Unix.Client.Internal;

/// <summary>
/// What a client has to send: encoded PUB frames in a bounded drop-oldest lane, and control frames (SUB, UNSUB,
/// STATS, PONG) in a lane that is never dropped. The current connection's send loop drains it.
/// </summary>
/// <remarks>
/// This is a write buffer, not a consumer queue: it only holds what the socket has not taken yet, so it is bounded
/// by bytes (a burst of small events must not be lost while the broker keeps up) and drops the oldest frames only
/// when the broker stops reading for long.
/// </remarks>
internal sealed class ClientOutbox(long maxBytes, int maxFrames)
{
    private readonly Lock _gate = new();
    private readonly Queue<(byte[] Array, int Length)> _data = new();
    private readonly Queue<byte[]> _control = new();
    private readonly Channel<bool> _doorbell = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private byte[]? _final;
    private bool _closing;

    private long _bytes;

    public long MaxBytes { get; } = Math.Max(maxBytes, 1);

    public int MaxFrames { get; } = Math.Max(maxFrames, 1);

    public bool IsClosing
    {
        get
        {
            lock (_gate)
            {
                return _closing;
            }
        }
    }

    /// <summary>Queues a copy of <paramref name="frame"/>; returns how many older frames were dropped (or 1 when closing).</summary>
    public int EnqueueData(ReadOnlySpan<byte> frame)
    {
        var copy = ArrayPool<byte>.Shared.Rent(frame.Length);
        frame.CopyTo(copy);
        var dropped = 0;
        lock (_gate)
        {
            if (_closing)
            {
                ArrayPool<byte>.Shared.Return(copy);
                return 1;
            }

            while (_data.Count > 0 && (_data.Count >= MaxFrames || _bytes + frame.Length > MaxBytes))
            {
                var old = _data.Dequeue();
                _bytes -= old.Length;
                ArrayPool<byte>.Shared.Return(old.Array);
                dropped++;
            }

            _data.Enqueue((copy, frame.Length));
            _bytes += frame.Length;
        }

        _doorbell.Writer.TryWrite(true);
        return dropped;
    }

    public void EnqueueControl(byte[] frame)
    {
        lock (_gate)
        {
            _control.Enqueue(frame);
        }

        _doorbell.Writer.TryWrite(true);
    }

    /// <summary>Asks the send loop to flush what is queued, then send <paramref name="finalFrame"/> and half-close.</summary>
    public void Close(byte[] finalFrame)
    {
        lock (_gate)
        {
            _closing = true;
            _final = finalFrame;
        }

        _doorbell.Writer.TryWrite(true);
    }

    /// <summary>Drops queued PUB frames (the connection is gone) and returns how many.</summary>
    public int DropData()
    {
        lock (_gate)
        {
            var count = _data.Count;
            while (_data.TryDequeue(out var item))
            {
                ArrayPool<byte>.Shared.Return(item.Array);
            }

            _bytes = 0;

            return count;
        }
    }

    /// <summary>Forgets control frames meant for a previous connection.</summary>
    public void ClearControl()
    {
        lock (_gate)
        {
            _control.Clear();
        }
    }

    /// <summary>Moves control frames, then PUB frames up to <paramref name="maxBytes"/>, into <paramref name="batch"/>.</summary>
    /// <returns>True when the final frame was written (the send loop must half-close after sending).</returns>
    public bool Take(IBufferWriter<byte> batch, int maxBytes, out int taken)
    {
        taken = 0;
        lock (_gate)
        {
            while (_control.TryDequeue(out var frame))
            {
                batch.Write(frame);
                taken++;
            }

            var bytes = 0;
            while (bytes < maxBytes && _data.TryDequeue(out var item))
            {
                batch.Write(item.Array.AsSpan(0, item.Length));
                bytes += item.Length;
                _bytes -= item.Length;
                ArrayPool<byte>.Shared.Return(item.Array);
                taken++;
            }

            if (_closing && _data.Count == 0 && _final is not null)
            {
                batch.Write(_final);
                _final = null;
                taken++;
                return true;
            }

            return false;
        }
    }

    /// <summary>Waits until something is queued; false when cancelled.</summary>
    public async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            lock (_gate)
            {
                if (_control.Count > 0 || _data.Count > 0 || _final is not null)
                {
                    return;
                }
            }

            await _doorbell.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
            _doorbell.Reader.TryRead(out _);
        }
    }
}
