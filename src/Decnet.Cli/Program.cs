using System.CommandLine;
using Decnet.Cli;

var configuration = new InvocationConfiguration { ProcessTerminationTimeout = CliApplication.TerminationTimeout };
return await CliApplication.CreateRootCommand().Parse(args).InvokeAsync(configuration).ConfigureAwait(false);
