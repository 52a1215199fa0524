using Decnet.Bench.Load.Orchestration;
using Decnet.Bench.Load.Roles;
using Decnet.Bench.Load.Systems;

// Decnet.Bench.Load run [--quick] ...            orchestrate every system x workload (scripts/bench.sh calls this)
// Decnet.Bench.Load sub|pub|idle --system S ...  one role process (the nats roles are bench/nats-go)
// Decnet.Bench.Load relay --target SOCKET        the raw relay ceiling server
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: Decnet.Bench.Load run|sub|pub|idle|relay [--flag value ...]");
    return 2;
}

var options = new RoleArgs(args.Skip(1));
var system = options.Get("system", LoadClients.Decnet);
switch (args[0])
{
    case "run":
        return await Orchestrator.RunAsync(options);
    case "sub":
        return await SubscriberRole.RunAsync(system, options);
    case "pub":
        return await PublisherRole.RunAsync(system, options);
    case "idle":
        return await IdleRole.RunAsync(system, options);
    case "relay":
        {
            using var stop = new CancellationTokenSource();
            using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c =>
            {
                c.Cancel = true;
                stop.Cancel();
            });
            await RawRelay.RunAsync(options.Target, stop.Token);
            return 0;
        }

    default:
        Console.Error.WriteLine($"unknown command '{args[0]}'");
        return 2;
}
