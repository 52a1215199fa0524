namespace Decnet.Bus.Fake;

/// <summary>
/// Thrown by <see cref="FakeBus.WaitForAsync"/> and <see cref="FakeBus.WaitForCountAsync"/> when no matching event
/// was published in time. The message lists what was published instead.
/// </summary>
public sealed class FakeBusWaitTimeoutException : TimeoutException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public FakeBusWaitTimeoutException()
        : base("No matching event was published in time.")
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public FakeBusWaitTimeoutException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and an inner exception.</summary>
    public FakeBusWaitTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
