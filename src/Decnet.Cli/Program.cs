using System.CommandLine;
using Decnet.Cli;

// Long-running commands (bus, sub) handle SIGINT/SIGTERM themselves to stop cleanly with exit 0;
// System.CommandLine's handler would force 130/143.
var configuration = new InvocationConfiguration { ProcessTerminationTimeout = null };
return await CliInvocation.InvokeAsync(CliApplication.CreateRootCommand(), args, configuration).ConfigureAwait(false);
