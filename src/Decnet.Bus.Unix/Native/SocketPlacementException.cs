namespace Decnet.Bus.Unix.Native;

/// <summary>The broker's socket could not be created safely; the message is one line that names the path.</summary>
internal sealed class SocketPlacementException(string message) : IOException(message)
{
}
