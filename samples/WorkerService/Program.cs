using Decnet.Samples.WorkerService;

var builder = Host.CreateApplicationBuilder(args);

// The bus: the transport and its settings come from the DECNET_BUS_* variables (unix by default).
builder.Services.AddDecnetBus();

// The mutation emitter: the syslog side channel (DECNET_INGEST_LOG_FILE) plus a publish on the bus.
builder.Services.AddDecnetMutationEvents();

builder.Services.Configure<WatcherOptions>(builder.Configuration.GetSection(WatcherOptions.Section));
builder.Services.AddSingleton<MutationTally>();
builder.Services.AddHostedService<MutationWatcher>();

await builder.Build().RunAsync();
