using Decnet.Bus.Nats.Tests.Support;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;

namespace Decnet.Bus.Nats.Tests;

/// <summary>
/// Why a reconnect fails reaches the bus's own log (which <c>decnet bridge</c> prints, leaving the NATS client
/// library's lines out): once per reason until a connect succeeds, not at every attempt of a long outage.
/// </summary>
[RequiresNatsServer]
public sealed class NatsReconnectFailureLogTests : IDisposable
{
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(30);
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("decnet-nats-reconnect-log-");
    private readonly TestPki _pki;

    public NatsReconnectFailureLogTests() => _pki = new TestPki(_directory);

    [Fact]
    public async Task AClientCertificateRenewedAsGarbage_TheFailedReconnectsReasonIsLoggedOnce_NamingTheVariable()
    {
        var root = _pki.Authority("root");
        var client = _pki.Leaf("client", root, TestPki.ClientAuth);
        await using var server = await TestPki.StartServerAsync(_pki.Leaf("server", root, TestPki.ServerAuth), _pki.Write("clients-ca.pem", root));
        var log = new RecordingLogger<NatsBus>();

        // Filtered as the bridge filters them: only the bus's own lines count.
        using var logging = LoggerFactory.Create(b => b.AddProvider(new RecordingLoggerProvider<NatsBus>(log)).AddFilter("NATS", LogLevel.None));
        var options = NatsTestOptions.For(server, "reconnect-log");
        options.Nats.TlsCaFile = _pki.Write("ca.pem", root);
        options.Nats.TlsCertFile = client.Cert;
        options.Nats.TlsKeyFile = client.Key;
        await using var bus = new NatsBus(options, logging);
        Assert.True(await bus.WaitForConnectionAsync(_bound));
        using var attempts = new SemaphoreSlim(0);
        bus.Connection.ReconnectFailed += (_, _) =>
        {
            attempts.Release();
            return ValueTask.CompletedTask;
        };

        var certificate = File.ReadAllText(client.Cert);
        RenewedFile.Replace(client.Cert, "garbage, a renewal gone wrong\n");
        var closed = bus.Closed;
        await server.RestartAsync();
        await closed.WaitAsync(_bound);
        using var timeout = new CancellationTokenSource(_bound);
        var line = await log.NextLineAsync("nats: reconnecting to", timeout.Token);
        while (!line.Contains("DECNET_BUS_NATS_TLS_CERT", StringComparison.Ordinal))
        {
            // The restarted server may refuse a first attempt before it listens: a reason of its own.
            line = await log.NextLineAsync("nats: reconnecting to", timeout.Token);
        }

        // Several more attempts fail the same way; then the file is fixed and the connection comes back.
        while (attempts.Wait(0))
        {
        }

        for (var i = 0; i < 4; i++)
        {
            Assert.True(await attempts.WaitAsync(_bound), "no further reconnect attempt");
        }

        var opened = bus.Opened;
        RenewedFile.Replace(client.Cert, certificate);
        await opened.WaitAsync(_bound);

        Assert.Contains($"DECNET_BUS_NATS_TLS_CERT='{client.Cert}' with DECNET_BUS_NATS_TLS_KEY='{client.Key}' cannot be parsed", line, StringComparison.Ordinal);
        Assert.Single(log.Lines, l => l.Contains("DECNET_BUS_NATS_TLS_CERT", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        _pki.Dispose();
        _directory.Delete(recursive: true);
    }
}
