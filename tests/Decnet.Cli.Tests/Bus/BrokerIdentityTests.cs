using System.Diagnostics.Metrics;
using Decnet.Bus;
using Decnet.Bus.Unix;
using Decnet.Cli.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Decnet.Cli.Tests.Bus;

/// <summary>
/// Issue 12, item 6: a client talks only to a broker running as root, as itself, as the owner of the socket's
/// directory, or as DECNET_BUS_BROKER_UID. The broker here is a real <c>decnet bus</c> run as uid 65534.
/// </summary>
public sealed class BrokerIdentityTests
{
    [OtherUserFact]
    public async Task A_broker_of_another_uid_in_a_shared_directory_is_refused_and_counted()
    {
        // A sticky world-writable directory owned by root (like /tmp): uid 65534 can bind there but owns nothing.
        var directory = Directory.CreateTempSubdirectory("dbi");
        File.SetUnixFileMode(directory.FullName, (UnixFileMode)Convert.ToInt32("1777", 8));
        try
        {
            var path = Path.Combine(directory.FullName, "bus.sock");
            await using var squatter = await StartAsOtherUserAsync(path, directory.FullName);
            using var refusals = new RefusalCounter();

            var options = new DecnetBusOptions { SocketPath = path, Group = string.Empty };
            await Assert.ThrowsAsync<BusUnavailableException>(() => UnixSocketBus.ConnectAsync(options));

            // Counted on the Decnet.Bus meter of a host's bus (AddDecnetBus observes the bus it builds).
            var log = new RecordingLogger<UnixSocketBus>();
            await using (var services = new ServiceCollection()
                .AddSingleton(DecnetBusEnvironment.From(new Dictionary<string, string?> { [DecnetBusVariables.Socket] = path, [DecnetBusVariables.Group] = string.Empty }))
                .AddLogging(logging => logging.AddProvider(new RecordingLoggerProvider<UnixSocketBus>(log)))
                .AddDecnetBus().AddUnixTransport()
                .BuildServiceProvider())
            {
                await services.GetRequiredService<IBus>().PublishAsync("a.b", new { }); // starts the connection attempts

                // The client counts a refused broker before it logs the refusal: once the line is there, so is the count.
                await log.WaitForAsync(line => line.Contains("Refusing the bus broker", StringComparison.Ordinal));
                Assert.True(refusals.Read() >= 1, "the refusal was logged but not counted on the Decnet.Bus meter");
            }

            options.BrokerUid = OtherUser.Uid;
            await using var trusted = await UnixSocketBus.ConnectAsync(options);
            Assert.True(trusted.IsConnected);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [OtherUserFact]
    public async Task Client_commands_report_an_untrusted_broker_as_untrusted_not_as_down_with_exit_78()
    {
        // A broker of another uid in a root-owned sticky directory: it is up, but this client does not trust it.
        // "unavailable (is 'decnet bus' running?)" and exit 69 would send its operator to start a broker that runs.
        var directory = Directory.CreateTempSubdirectory("dbi");
        File.SetUnixFileMode(directory.FullName, (UnixFileMode)Convert.ToInt32("1777", 8));
        try
        {
            var path = Path.Combine(directory.FullName, "bus.sock");
            await using var squatter = await StartAsOtherUserAsync(path, directory.FullName);

            string[][] commands = [["stats"], ["sub", "a.>", "--timeout", "30"], ["pub", "a.b", "{}"]];
            foreach (var command in commands)
            {
                var run = await CliRun.InvokeAsync([.. command, "--socket", path]);

                Assert.True(run.ExitCode == 78, $"{command[0]}: {run}");
                var line = Assert.Single(CliRun.Lines(run.Error));
                Assert.StartsWith($"bus: refusing the process on {path} as the broker: it runs as uid {OtherUser.Uid}", line, StringComparison.Ordinal);
                Assert.Contains($"DECNET_BUS_BROKER_UID={OtherUser.Uid}", line, StringComparison.Ordinal);
                Assert.DoesNotContain("is 'decnet bus' running", line, StringComparison.Ordinal);
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [OtherUserFact]
    public async Task The_shipped_layout_is_accepted_a_broker_owning_its_runtime_directory()
    {
        // deploy/decnet-bus.service: User=decnet, RuntimeDirectory=decnet (owned by decnet, mode 0750).
        var directory = OtherUser.CreateDirectory((UnixFileMode)Convert.ToInt32("750", 8));
        try
        {
            var path = Path.Combine(directory.FullName, "bus.sock");
            await using var broker = await StartAsOtherUserAsync(path, directory.FullName);

            await using var client = await UnixSocketBus.ConnectAsync(new DecnetBusOptions { SocketPath = path, Group = string.Empty });

            Assert.True(client.IsConnected);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static Task<BrokerProcess> StartAsOtherUserAsync(string path, string home)
        => BrokerProcess.StartAsync(new Dictionary<string, string> { ["HOME"] = home }, OtherUser.Launcher, "bus", "--socket", path, "--group", "");

    /// <summary>Reads the observable <c>decnet.bus.brokers_refused</c> while it lives.</summary>
    private sealed class RefusalCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _count;

        /// <summary>Collects the observable counter once and returns what it shows.</summary>
        public long Read()
        {
            _listener.RecordObservableInstruments();
            return Count;
        }

        public RefusalCounter()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Decnet.Bus" && instrument.Name == "decnet.bus.brokers_refused")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Exchange(ref _count, Math.Max(Interlocked.Read(ref _count), value)));
            _listener.Start();
        }

        public long Count => Interlocked.Read(ref _count);

        public void Dispose() => _listener.Dispose();
    }
}
