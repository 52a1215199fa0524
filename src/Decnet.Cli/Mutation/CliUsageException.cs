namespace Decnet.Cli.Mutation;

/// <summary>A bad command-line argument, reported as one line and exit code 2.</summary>
internal sealed class CliUsageException(string message) : Exception(message);
