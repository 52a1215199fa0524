namespace Decnet.Bus.Unix;

/// <summary>
/// The broker cannot start on its socket path: another broker answers there, the path is not a socket (a regular
/// file, a directory or a symlink, which the broker never deletes), or the parent directory is missing.
/// </summary>
public sealed class BusStartupException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BusStartupException()
    {
        SocketPath = string.Empty;
    }

    /// <summary>Creates the exception with a message.</summary>
    public BusStartupException(string message)
        : base(message)
    {
        SocketPath = string.Empty;
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public BusStartupException(string message, Exception innerException)
        : base(message, innerException)
    {
        SocketPath = string.Empty;
    }

    /// <summary>Creates the exception for <paramref name="socketPath"/>.</summary>
    public BusStartupException(string socketPath, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        SocketPath = socketPath;
    }

    /// <summary>The socket path the broker tried to own.</summary>
    public string SocketPath { get; }
}
