namespace Decnet.Mutator.Events;

/// <summary>Settings of <see cref="MutationEventEmitter"/>.</summary>
public sealed class MutationEventOptions
{
    /// <summary>The environment variable that sets <see cref="LogFile"/>.</summary>
    public const string LogFileVariable = "DECNET_INGEST_LOG_FILE";

    /// <summary>The ingest log used when <see cref="LogFileVariable"/> is not set.</summary>
    public const string DefaultLogFile = "/var/log/decnet/decnet.log";

    /// <summary>
    /// The RFC 5424 ingest log the emitter appends to. Defaults to <c>DECNET_INGEST_LOG_FILE</c> when that variable is
    /// set (even to an empty value, which then fails validation naming the variable), else <see cref="DefaultLogFile"/>.
    /// </summary>
    public string LogFile { get; set; } = Environment.GetEnvironmentVariable(LogFileVariable) ?? DefaultLogFile;

    /// <summary>Why <see cref="LogFile"/> is unusable, naming the variable, or null when it is fine.</summary>
    public string? Validate()
    {
        if (string.IsNullOrWhiteSpace(LogFile))
        {
            return $"{LogFileVariable} (MutationEventOptions.LogFile) must be a file path; it is empty.";
        }

        if (LogFile.AsSpan().IndexOfAny('\0', '\n', '\r') >= 0)
        {
            return $"{LogFileVariable} (MutationEventOptions.LogFile) contains a NUL or line-break character.";
        }

        return LogFile.EndsWith('/')
            ? $"{LogFileVariable} (MutationEventOptions.LogFile) \"{LogFile}\" names a directory; it must name a file."
            : null;
    }
}
