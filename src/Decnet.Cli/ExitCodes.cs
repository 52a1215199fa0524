namespace Decnet.Cli;

/// <summary>Process exit codes of the decnet commands, following sysexits(3) and timeout(1).</summary>
internal static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>Generic failure.</summary>
    public const int Failure = 1;

    /// <summary>Bad command-line usage or input (EX_USAGE is 64, but System.CommandLine uses 1/2; stay with 2 like most CLIs).</summary>
    public const int Usage = 2;

    /// <summary>
    /// EX_UNAVAILABLE: the broker is not running at the socket path (or NATS is unreachable), or it did not confirm
    /// the event <c>pub</c> published, which may not have been delivered.
    /// </summary>
    public const int Unavailable = 69;

    /// <summary>EX_SOFTWARE: the broker failed to start for a reason other than a bad configuration, or an internal error.</summary>
    public const int Software = 70;

    /// <summary>
    /// EX_NOPERM: the bus refused the request for lack of permission (the broker's ACL answered ERR 12, or the NATS
    /// server a permissions -ERR).
    /// </summary>
    public const int NoPermission = 77;

    /// <summary>
    /// EX_CONFIG: bad configuration (socket path occupied, invalid DECNET_BUS_* value), or a client command found a
    /// process on the socket running as a uid it does not trust (DECNET_BUS_BROKER_UID, or another user's socket).
    /// </summary>
    public const int Config = 78;

    /// <summary>Timed out, like timeout(1).</summary>
    public const int Timeout = 124;
}
