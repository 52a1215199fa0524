using Decnet.Bus.Internal;
using Decnet.Bus.Nats.Internal;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;

namespace Decnet.Bus.Nats;

/// <summary>The background connect: started once, retried until it succeeds or the bus is disposed.</summary>
public sealed partial class NatsBus
{
    /// <summary>Starts the background connect once; the NATS client retries until it succeeds or is disposed.</summary>
    private void EnsureStarted()
    {
        lock (_startGate)
        {
            // Not once disposing: the disposal has ended the first attempt, and would not wait for this connect.
            if (_started || Volatile.Read(ref _disposed) != 0)
            {
                return;
            }

            _started = true;
            _connect = WithoutCallerContext.Start(() => Task.Run(ConnectAsync));
        }
    }

    /// <summary>
    /// The first connection, retried with the configured backoff until it succeeds (afterwards the NATS client
    /// reconnects by itself). Publishes made before the first attempt ends wait for it, bounded; later ones, while
    /// the server is unreachable, are dropped and counted.
    /// </summary>
    private async Task ConnectAsync()
    {
        var reconnect = ReconnectDelays.Of(_options);
        var delay = reconnect.Min;
        var logged = false;
        var loggedUnexpected = false;
        while (Volatile.Read(ref _disposed) == 0)
        {
            try
            {
                await _connection.ConnectAsync().ConfigureAwait(false);
                _firstAttempt.TrySetResult();
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                if (ConnectFailure.IsAuthorizationRefused(ex))
                {
                    // Before the wait ends, so whoever it wakes reads why.
                    _authorizationRefused = true;
                    _refused.TrySetResult();
                }
                else if (ConnectFailure.IsRefused(ex))
                {
                    _refused.TrySetResult();
                }

                _firstAttempt.TrySetResult();
                if (Volatile.Read(ref _disposed) != 0)
                {
                    return;
                }

                if (!ConnectFailure.IsOutage(ex))
                {
                    // Once: the retries would repeat it at every backoff.
                    if (!loggedUnexpected)
                    {
                        loggedUnexpected = logged = true;
                        Log.UnexpectedConnectFailure(_logger, UntrustedText.Escape(string.Join(',', _options.Nats.Urls)), UntrustedText.DescribeExceptionWithStack(ex));
                    }
                }
                else if (!logged)
                {
                    logged = true;
                    Log.ConnectFailed(_logger, UntrustedText.Escape(string.Join(',', _options.Nats.Urls)), UntrustedText.DescribeException(ex));
                }
            }

            try
            {
                await Task.Delay(delay, _disposing.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The delays are clamped, so this is a bug; a loop ended by it would leave the client unconnected for
                // good.
                Log.UnexpectedRetryWaitFailure(_logger, UntrustedText.Escape(string.Join(',', _options.Nats.Urls)), UntrustedText.DescribeExceptionWithStack(ex));
            }

            delay = reconnect.Next(delay);
        }

        // Stopped by the disposal before any attempt ended: whoever waits for the first one must not wait its bound.
        _firstAttempt.TrySetResult();
    }

    /// <summary>
    /// Starts connecting and waits (bounded) for the first attempt's outcome, whatever it was (unlike
    /// <see cref="WaitForConnectionAsync"/>, which waits out a slow refusal); true when connected. <c>decnet bridge</c>
    /// calls it before its start line.
    /// </summary>
    internal Task<bool> WaitForFirstAttemptAsync(TimeSpan bound, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        return WaitForOpenAsync(bound, cancellationToken);
    }

    /// <summary>
    /// Waits (bounded) while the first connection is being made; true when the connection is open. Once the first
    /// attempt has ended, a client that is not connected is down and reconnecting: false at once, as a publish is
    /// dropped at once, rather than a wait for a server that is not there.
    /// </summary>
    private async Task<bool> WaitForOpenAsync(TimeSpan bound, CancellationToken cancellationToken)
    {
        EnsureStarted();
        if (IsConnected || _firstAttempt.Task.IsCompleted)
        {
            return IsConnected;
        }

        try
        {
            await Task.WhenAny(Volatile.Read(ref _open).Task, _firstAttempt.Task).WaitAsync(bound, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        return IsConnected;
    }
}
