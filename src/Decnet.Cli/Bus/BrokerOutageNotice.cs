using Decnet.Bus.Unix;

namespace Decnet.Cli.Bus;

/// <summary>
/// Tells a long-running command's user, once per outage, that the broker went away and the client is waiting for it,
/// and once when it is back (docs/operations.md, "Debugging"): the client reconnects silently, so without this a
/// `decnet sub` on a dead broker looks like a quiet bus.
/// </summary>
internal static class BrokerOutageNotice
{
    /// <summary>Writes the two lines to <paramref name="error"/> as the connection changes, until cancelled.</summary>
    public static async Task WatchAsync(UnixSocketBus bus, TextWriter error, string command, string where, CancellationToken cancellationToken)
    {
        var down = false;
        var generationWhenDown = 0;
        try
        {
            while (true)
            {
                // Taken before reading the state, so a change between the two wakes the wait instead of being missed.
                var changed = bus.ConnectionChanged;
                if (!down && !bus.IsConnected)
                {
                    down = true;
                    generationWhenDown = bus.Generation;
                    await WriteAsync(error, $"{command}: broker at {where} is down; waiting for it (events published meanwhile are lost)", cancellationToken).ConfigureAwait(false);
                }
                else if (down && bus.Generation > generationWhenDown && bus.IsConnected)
                {
                    // A new generation is a connection whose subscriptions are all re-established: from this line on,
                    // every matching publish is delivered again, as from "subscribed".
                    down = false;
                    await WriteAsync(error, $"{command}: reconnected to the broker at {where}", cancellationToken).ConfigureAwait(false);
                }

                await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The command ended.
        }
    }

    private static async Task WriteAsync(TextWriter error, string line, CancellationToken cancellationToken)
    {
        await error.WriteLineAsync(line).ConfigureAwait(false);
        await error.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
