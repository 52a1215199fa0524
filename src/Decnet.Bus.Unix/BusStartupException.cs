using Decnet.Bus;

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

    /// <summary>
    /// Creates the exception for <paramref name="socketPath"/>. The message is escaped here (<see cref="UntrustedText"/>),
    /// once for every reason: it quotes paths, group names and system errors that may come from another process, and
    /// hosts and the CLI print it as it is.
    /// </summary>
    public BusStartupException(string socketPath, string message, Exception? innerException = null)
        : base(UntrustedText.Escape(message), innerException)
    {
        SocketPath = socketPath;
    }

    /// <summary>The socket path the broker tried to own.</summary>
    public string SocketPath { get; }
}
