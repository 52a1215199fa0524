namespace Decnet.Bus.Unix;

/// <summary>
/// No broker answered on the socket path. Thrown only by the explicit connect and stats calls the CLI uses
/// (<see cref="UnixSocketBus.ConnectAsync"/>, <see cref="UnixSocketBus.GetBrokerStatsAsync"/>); the
/// <see cref="IBus"/> methods never throw because the broker is down.
/// </summary>
public sealed class BusUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BusUnavailableException()
    {
        SocketPath = string.Empty;
    }

    /// <summary>Creates the exception with a message.</summary>
    public BusUnavailableException(string message)
        : base(message)
    {
        SocketPath = string.Empty;
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public BusUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
        SocketPath = string.Empty;
    }

    /// <summary>Creates the exception for <paramref name="socketPath"/>.</summary>
    public BusUnavailableException(string socketPath, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        SocketPath = socketPath;
    }

    /// <summary>The socket path nobody answered on.</summary>
    public string SocketPath { get; }
}
