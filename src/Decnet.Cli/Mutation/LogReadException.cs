namespace Decnet.Cli.Mutation;

/// <summary>
/// Reading the log failed (EIO on <c>/proc/self/mem</c>, a device error): thrown by <see cref="LogLines"/> around the
/// read itself, so the command tells it from a failed write to its own output.
/// </summary>
internal sealed class LogReadException(IOException inner) : IOException(inner.Message, inner);
