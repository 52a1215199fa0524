using System.Globalization;
using Decnet.Mutator.Events;
using Decnet.Mutator.Events.Internal;
using Decnet.Mutator.Events.LoadWriter;

// Usage: LoadWriter <log-file> <writer-id> <count> [filestream|report-tty]
// Emits <count> lines as decky "w<writer-id>" with a long, escape-heavy actor so a torn or interleaved write would
// show up as a line that does not parse. Prints "ready" and waits for a line on stdin so all writers start together.
// "filestream" writes the same lines through FileStream(FileMode.Append) instead of the emitter, to measure what
// the emitter's O_APPEND writer protects against (see docs/mutation-events.md).
// "report-tty" emits through the emitter, then prints "session_leader <bool> tty_nr <n>" from /proc/self/stat: run
// under setsid(1), it shows whether the emitter's open of a terminal made it this session's controlling terminal.
// "grow-to=<bytes>" emits through an emitter whose first write(2) is preceded by growing the log to <bytes>: another
// program's write, outside the append lock, after the emitter's checks.
const string GrowTo = "grow-to=";
if (args.Length is not 3 and not 4
    || (args.Length == 4 && args[3] is not "filestream" and not "report-tty" && !args[3].StartsWith(GrowTo, StringComparison.Ordinal)))
{
    await Console.Error.WriteLineAsync("usage: LoadWriter <log-file> <writer-id> <count> [filestream|report-tty|grow-to=<bytes>]");
    return 2;
}

var writer = int.Parse(args[1], CultureInfo.InvariantCulture);
var count = int.Parse(args[2], CultureInfo.InvariantCulture);
var options = new MutationEventOptions { LogFile = args[0] };
var growing = args.Length == 4 && args[3].StartsWith(GrowTo, StringComparison.Ordinal)
    ? new GrowingDescriptorWriter(args[0], long.Parse(args[3][GrowTo.Length..], CultureInfo.InvariantCulture))
    : null;
var emitter = growing is null
    ? new MutationEventEmitter(options)
    : new MutationEventEmitter(options, null, null, null, new AppendOnlyFileWriter(growing));
var padding = string.Concat(Enumerable.Repeat("\\\"]", 60));

Console.WriteLine("ready");
await Console.In.ReadLineAsync();

var failures = 0;
if (args.Length == 4 && args[3] == "filestream")
{
    using var stream = new FileStream(args[0], FileMode.Append, FileAccess.Write, FileShare.ReadWrite, 1);
    for (var i = 0; i < count; i++)
    {
        var line = DeckyMutatedLineFormatter.Format(new DeckyMutatedEvent(DateTimeOffset.UtcNow, $"w{writer}", [$"s{i}"], [$"s{i + 1}"], MutationTrigger.Scheduled, $"writer {writer} line {i} {padding}"));
        stream.Write(System.Text.Encoding.UTF8.GetBytes(line));
    }

    Console.WriteLine($"done {count}");
    return 0;
}

for (var i = 0; i < count; i++)
{
    var result = await emitter.EmitAsync($"w{writer}", [$"s{i}"], [$"s{i + 1}"], MutationTrigger.Scheduled, $"writer {writer} line {i} {padding}");
    if (!result.Written)
    {
        failures++;
        await Console.Error.WriteLineAsync(result.WriteError);
    }
}

Console.WriteLine($"done {count - failures}");
if (args.Length == 4 && args[3] == "report-tty")
{
    // Fields after the parenthesised command name (which may hold spaces): state, ppid, pgrp, session, tty_nr.
    var stat = await File.ReadAllTextAsync("/proc/self/stat");
    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    Console.WriteLine($"session_leader {fields[3] == Environment.ProcessId.ToString(CultureInfo.InvariantCulture)} tty_nr {fields[4]}");
}

return failures == 0 ? 0 : 1;
