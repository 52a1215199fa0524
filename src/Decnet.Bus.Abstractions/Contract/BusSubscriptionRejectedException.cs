namespace Decnet.Bus;

/// <summary>
/// The transport refused a subscription, for example because the connection already holds as many subscriptions as
/// the broker allows. Thrown by <see cref="IBus.SubscribeAsync(string, SubscriptionOptions?, CancellationToken)"/>; the subscription is not kept and not retried, and
/// the connection and every other subscription carry on. <see cref="Code"/> is the wire ERR code
/// (docs/wire-protocol.md §6).
/// </summary>
public sealed class BusSubscriptionRejectedException : Exception
{
    // The wire ERR codes (docs/wire-protocol.md §6) transports without a broker's ERR refuse with, as the UNIX one does.
    internal const int InvalidPatternCode = 4;
    internal const int TooManySubscriptionsCode = 5;
    internal const int PermissionDeniedCode = 12;

    /// <summary>Creates the exception.</summary>
    public BusSubscriptionRejectedException()
    {
        Pattern = string.Empty;
    }

    /// <summary>Creates the exception with a message.</summary>
    public BusSubscriptionRejectedException(string message)
        : base(message)
    {
        Pattern = string.Empty;
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public BusSubscriptionRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Pattern = string.Empty;
    }

    /// <summary>Creates the exception for <paramref name="pattern"/>, refused with ERR <paramref name="code"/>.</summary>
    public BusSubscriptionRejectedException(string pattern, int code, string message)
        : base(message)
    {
        Pattern = pattern;
        Code = code;
    }

    /// <summary>The refused pattern.</summary>
    public string Pattern { get; }

    /// <summary>
    /// The wire ERR code (docs/wire-protocol.md §6): 4 invalid pattern (for example more tokens than the broker
    /// allows), 5 too many subscriptions, 12 permission denied (NATS permissions refuse the subject). 0 when unknown.
    /// </summary>
    public int Code { get; }
}
