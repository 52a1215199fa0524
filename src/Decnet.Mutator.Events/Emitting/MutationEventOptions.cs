namespace Decnet.Mutator.Events;

/// <summary>Settings of <see cref="MutationEventEmitter"/>.</summary>
public sealed class MutationEventOptions
{
    /// <summary>The configuration section bound by <c>AddDecnetMutationEvents()</c>; keys are the property names.</summary>
    public const string SectionName = "DecnetMutationEvents";

    /// <summary>The environment variable that sets <see cref="LogFile"/>.</summary>
    public const string LogFileVariable = "DECNET_INGEST_LOG_FILE";

    /// <summary>The ingest log used when <see cref="LogFileVariable"/> is not set.</summary>
    public const string DefaultLogFile = "/var/log/decnet/decnet.log";

    /// <summary>
    /// The RFC 5424 ingest log the emitter appends to: an absolute path. <c>AddDecnetMutationEvents()</c> sets it from
    /// the <c>DecnetMutationEvents:LogFile</c> key, then <c>DECNET_INGEST_LOG_FILE</c> (even an empty value, which then
    /// fails validation naming the variable); <see cref="DefaultLogFile"/> otherwise.
    /// </summary>
    public string LogFile { get; set; } = DefaultLogFile;

    /// <summary>What the configuration binder refused in the section, reported at host start.</summary>
    internal string? BindingError { get; set; }

    /// <summary>Why <see cref="LogFile"/> is unusable, naming the variable, or null when it is fine.</summary>
    public string? Validate() => Validate($"{LogFileVariable} (MutationEventOptions.LogFile)");

    /// <summary>
    /// Why <see cref="LogFile"/> is unusable, naming <paramref name="source"/> (what set it: the variable, or the CLI's
    /// <c>--log-file</c>), or null when it is fine.
    /// </summary>
    internal string? Validate(string source)
    {
        if (string.IsNullOrWhiteSpace(LogFile))
        {
            return $"{source} must be a file path; it is empty.";
        }

        if (LogFile.AsSpan().IndexOfAny('\0', '\n', '\r') >= 0)
        {
            return $"{source} contains a NUL or line-break character.";
        }

        if (!Path.IsPathFullyQualified(LogFile))
        {
            // Relative to whatever directory the service happened to start in: the ingest pipeline would never find it.
            return $"{source} \"{LogFile}\" is relative; use an absolute path such as {DefaultLogFile}.";
        }

        return LogFile.EndsWith('/')
            ? $"{source} \"{LogFile}\" names a directory; it must name a file."
            : null;
    }
}
