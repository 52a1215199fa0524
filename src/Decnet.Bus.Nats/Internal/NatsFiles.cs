using Decnet.Bus.Internal;

namespace Decnet.Bus.Nats.Internal;

/// <summary>
/// How the NATS transport reads a file an option names: at each connect and reconnect (a renewed certificate or
/// credentials file is used at the next one), through the checked open, bounded; never by the client's own path
/// options, whose blocking opens a file swapped for a FIFO would hang.
/// </summary>
internal static class NatsFiles
{
    /// <summary>
    /// The most bytes read from one file: credentials and certificates are a few KiB, a CA bundle (Debian's has every
    /// public root) a few hundred.
    /// </summary>
    public const int MaxBytes = 1024 * 1024;

    /// <inheritdoc cref="ReadableFile.ReadAllText"/>
    public static string Read(string variable, string path) => ReadableFile.ReadAllText(variable, path, MaxBytes);
}
