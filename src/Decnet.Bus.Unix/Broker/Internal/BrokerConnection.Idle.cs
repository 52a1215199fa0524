using System.IO.Pipelines;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Broker.Internal;

internal sealed partial class BrokerConnection
{
    /// <summary>The idle probe: always the same bytes, one shared array.</summary>
    private static readonly byte[] _pingFrame = Encode(static b => FrameWriter.WriteSimple(b, FrameKind.Ping));

    private readonly IdleWatch _idle = new();

    // The receive loop's reader, once it runs: the sweep wakes it to carry out a cut.
    private PipeReader? _reader;

    /// <summary>
    /// The idle sweep's visit (<see cref="IdleSweeper"/>, on its timer thread): PINGs this connection, written from the
    /// sweep's thread when the writer is parked, or asks the receive loop to cut it. Never throws: a fault here is this
    /// connection's, so it is logged and the connection torn down, and the sweep goes on to the next one.
    /// </summary>
    public void CheckIdle(long now, long probeAfter, long answerWithin, PooledBufferWriter flush)
    {
        try
        {
            switch (_idle.Check(now, probeAfter, answerWithin))
            {
                case IdleVerdict.Probe when _outbound.EnqueueProbe(_pingFrame):
                    _outbound.FlushOrWake(flush);
                    break;
                case IdleVerdict.Cut:
                    // The loop throws ERR 10 on its own thread, unless a frame has arrived by then.
                    Volatile.Read(ref _reader)?.CancelPendingRead();
                    break;
            }
        }
        catch (ObjectDisposedException)
        {
            // The connection was torn down under the sweep: nothing left to probe. The buffer may hold its PING.
            flush.Reset();
        }
#pragma warning disable CA1031 // The sweep serves every connection; anything unexpected is a bug in this one, logged as an error.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            // Nothing of this connection may reach the next one's write, and the teardown's callbacks run off this
            // thread: one of them throwing here would end the broker.
            flush.Reset();
            BrokerLog.ConnectionBug(_logger, Name, Credentials.Pid, ex);
            _ = _abort.CancelAsync();
        }
    }
}
