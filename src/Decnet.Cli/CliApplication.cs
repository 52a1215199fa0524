using System.CommandLine;
using Decnet.Bus.Unix;
using Decnet.Cli.Bus;
using Decnet.Cli.Commands;

namespace Decnet.Cli;

/// <summary>Builds the <c>decnet</c> command tree; shared by <c>Program</c> and the in-process CLI tests.</summary>
internal static class CliApplication
{
    /// <summary>Creates the root command with every subcommand.</summary>
    /// <param name="standardInput">What <c>pub TOPIC -</c> and <c>syslog parse -</c> read; null means the process's
    /// standard input (tests pass a stream).</param>
    public static RootCommand CreateRootCommand(Stream? standardInput = null)
    {
        var root = new RootCommand("decnet: the DECNET service bus broker, bus client tools and mutation events.");
        root.Options.OfType<VersionOption>().Single().Action = new PrintVersionAction();
        root.Subcommands.Add(BusCommand.Create());
        root.Subcommands.Add(PubCommand.Create(standardInput));
        root.Subcommands.Add(SubCommand.Create());
        root.Subcommands.Add(StatsCommand.Create());
        root.Subcommands.Add(BridgeCommand.Create());
        // mutation emit publishes through the real broker; when it is down the line is still written (docs/mutation-events.md).
        root.Subcommands.Add(MutationCommand.Create(async (socket, ct) =>
            await UnixSocketBus.ConnectAsync(CliBusOptions.Load(socket, clientName: "decnet-mutation"), ct).ConfigureAwait(false)));
        root.Subcommands.Add(SyslogCommand.Create(standardInput));
        return root;
    }
}
