namespace Decnet.Cli.Mutation;

/// <summary>Exit codes of <c>decnet mutation emit</c> and <c>decnet syslog parse</c> (documented in docs/mutation-events.md).</summary>
internal static class CliExitCodes
{
    /// <summary>emit: the line was written (whatever happened on the bus). parse: every line was accepted.</summary>
    public const int Ok = 0;

    /// <summary>emit: the line was NOT written to the ingest log. parse: at least one line was rejected.</summary>
    public const int Failed = 1;

    /// <summary>Bad arguments or an unreadable input: nothing was done.</summary>
    public const int Usage = 2;
}
