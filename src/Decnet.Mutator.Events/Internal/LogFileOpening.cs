using Microsoft.Win32.SafeHandles;

namespace Decnet.Mutator.Events.Internal;

/// <summary>The outcome of <see cref="LogFileOpener.Open"/>: an open regular file, or why there is none.</summary>
internal readonly record struct LogFileOpening(SafeFileHandle? Handle, bool EndsInsideALine, AppendOutcome Failure)
{
    public static LogFileOpening Opened(SafeFileHandle handle, bool endsInsideALine) => new(handle, endsInsideALine, AppendOutcome.Written);

    public static LogFileOpening Failed(AppendOutcome failure) => new(null, false, failure);
}
