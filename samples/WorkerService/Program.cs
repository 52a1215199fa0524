using Decnet.Samples.WorkerService;

var builder = Host.CreateApplicationBuilder(args);

// The bus: settings come from the DECNET_BUS_* variables; the unix transport (package Decnet.Bus.Unix) is registered.
builder.Services.AddDecnetBus().AddUnixTransport();

// The mutation emitter: the syslog side channel (DECNET_INGEST_LOG_FILE) plus a publish on the bus.
builder.Services.AddDecnetMutationEvents();

builder.Services.Configure<WatcherOptions>(builder.Configuration.GetSection(WatcherOptions.Section));
builder.Services.AddSingleton<MutationTally>();
builder.Services.AddHostedService<MutationWatcher>();

await builder.Build().RunAsync();
