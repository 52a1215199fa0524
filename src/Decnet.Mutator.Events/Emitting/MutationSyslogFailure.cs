namespace Decnet.Mutator.Events;

/// <summary>Why the <c>decky_mutated</c> line was not written (<see cref="MutationEmitResult.WriteFailure"/>).</summary>
public enum MutationSyslogFailure
{
    /// <summary>The line was written.</summary>
    None,

    /// <summary>The log's directory is missing and could not be created.</summary>
    Directory,

    /// <summary>The log could not be opened or inspected (permissions, missing mount...).</summary>
    Open,

    /// <summary>The path is not a plain regular file the emitter may append to (a directory, FIFO, device, symlink...).</summary>
    Refused,

    /// <summary>The write failed or was short (disk full, I/O error).</summary>
    Write,
}
