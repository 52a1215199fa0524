using Decnet.Bus;
using Decnet.Cli.Mutation;

namespace Decnet.Cli.Bus;

/// <summary>
/// Checks the <c>--socket</c> and <c>--nats</c> values a user typed before they join the <c>DECNET_BUS_*</c> options,
/// whose validation names the variable and exits 78: a bad flag is a usage error (exit 2) naming the flag.
/// </summary>
internal static class CliFlagValues
{
    /// <summary>Refuses a <c>--socket</c> value no UNIX socket can have; null (no flag) passes.</summary>
    /// <exception cref="CliUsageException">The value is unusable; the message names the flag.</exception>
    public static void CheckSocket(string? socket)
    {
        if (socket is not null && DecnetBusOptionsValidator.DescribeSocketPath(socket, "--socket") is { } problem)
        {
            throw new CliUsageException(problem);
        }
    }

    /// <summary>Refuses a <c>--nats</c> value that is no list of NATS server URLs; null (no flag) passes.</summary>
    /// <exception cref="CliUsageException">The value is unusable; the message names the flag.</exception>
    public static void CheckNats(string? urls)
    {
        if (urls is not null && DecnetBusNatsValidation.DescribeUrlsFlag(urls, "--nats") is { } problem)
        {
            throw new CliUsageException(problem);
        }
    }
}
