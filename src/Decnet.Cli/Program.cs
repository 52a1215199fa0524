using System.CommandLine;
using Decnet.Cli;
using Decnet.Cli.Terminal;

// Long-running commands (bus, sub) handle SIGINT/SIGTERM themselves to stop cleanly with exit 0;
// System.CommandLine's handler would force 130/143.
// Output goes to descriptor 1 directly so a closed pipe (`| head -1`) ends the command instead of being ignored.
var configuration = new InvocationConfiguration { ProcessTerminationTimeout = null, Output = StandardOutput.Open() };
return await CliInvocation.InvokeAsync(CliApplication.CreateRootCommand(), args, configuration).ConfigureAwait(false);
