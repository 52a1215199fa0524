using System.CommandLine;
using Decnet.Cli.Commands;

var root = new RootCommand("decnet: the DECNET service bus broker, bus client tools and mutation events.");
root.Subcommands.Add(BusCommand.Create());
root.Subcommands.Add(PubCommand.Create());
root.Subcommands.Add(SubCommand.Create());
root.Subcommands.Add(StatsCommand.Create());
root.Subcommands.Add(MutationCommand.Create());
root.Subcommands.Add(SyslogCommand.Create());
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
