using Decnet.Samples.Correlator;

// Usage: correlator LOG_FILE [--once]
//   Prints one line per decky_mutated event in LOG_FILE, then (without --once) follows the file as it grows,
//   like `tail -F`. Lines of other programs are skipped; a line that claims to be decky_mutated but is not valid
//   is reported on stderr with the parser's reason.
if (args.Length is < 1 or > 2 || (args.Length == 2 && args[1] != "--once"))
{
    await Console.Error.WriteLineAsync("usage: correlator LOG_FILE [--once]");
    return 2;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

var tail = new SideChannelTail(args[0], Console.Out, Console.Error);
try
{
    return await tail.RunAsync(follow: args.Length == 1, stop.Token);
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    return 0;
}
