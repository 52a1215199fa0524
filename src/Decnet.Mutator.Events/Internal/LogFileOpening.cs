using Microsoft.Win32.SafeHandles;

namespace Decnet.Mutator.Events.Internal;

/// <summary>
/// The outcome of <see cref="LogFileOpener.Open"/>: an open regular file and its size (-1 when it could not be read),
/// or why there is none.
/// </summary>
internal readonly record struct LogFileOpening(SafeFileHandle? Handle, long Size, bool EndsInsideALine, AppendOutcome Failure)
{
    public static LogFileOpening Opened(SafeFileHandle handle, long size, bool endsInsideALine) => new(handle, size, endsInsideALine, AppendOutcome.Written);

    public static LogFileOpening Failed(AppendOutcome failure) => new(null, -1, false, failure);
}
