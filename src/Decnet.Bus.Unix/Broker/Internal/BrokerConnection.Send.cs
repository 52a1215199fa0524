using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Sending;

namespace Decnet.Bus.Unix.Broker.Internal;

internal sealed partial class BrokerConnection
{
    /// <summary>Runs the socket's writer until the stream ends, and ends the connection with it.</summary>
    private async Task SendLoopAsync()
    {
        switch (await _outbound.Writer.RunAsync(_abort.Token).ConfigureAwait(false))
        {
            case SendEnd.Final:
                // After BYE or ERR nothing the peer sends matters: stop reading too, so a stopping broker does not
                // wait out its flush bound on peers that never close their end.
                await _abort.CancelAsync().ConfigureAwait(false);
                break;
            case SendEnd.Stalled:
                // The peer stopped reading: its socket buffer is full, so no ERR can reach it. The reason goes to the
                // log and the Stalled counter, and the connection is torn down so its queue stops holding broker memory.
                BrokerLog.ConnectionStalled(_logger, Name, Credentials.Pid, _hub.Limits.StallTimeout.TotalSeconds);
                _hub.CountRejection(BusErrorCode.Stalled);
                _abort.Cancel();
                break;
            default:
                // The peer is gone or the broker aborted us; the receive loop ends too.
                _abort.Cancel();
                break;
        }
    }
}
