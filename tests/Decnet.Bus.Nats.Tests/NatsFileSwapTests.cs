using Decnet.Bus.Nats.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Decnet.Bus.Nats.Tests;

/// <summary>
/// The files DECNET_BUS_NATS_CREDS and DECNET_BUS_NATS_TLS_* name are read again at each connect and reconnect (a
/// renewed certificate or credentials file is used at the next one), always through the checked open: a file swapped
/// for a FIFO fails that connect with the reason instead of blocking it (the client's own reads by path would wait on
/// it until some process wrote to it), and the connect after the file is back succeeds.
/// </summary>
[RequiresNatsServer]
public sealed class NatsFileSwapTests : IDisposable
{
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(30);
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("decnet-nats-files-");
    private readonly TestPki _pki;

    public NatsFileSwapTests() => _pki = new TestPki(_directory);

    [Fact]
    public async Task ACredsFileRenewedBetweenConnects_TheReconnectPresentsTheNewCredentials()
    {
        var creds = Write("user.creds", Creds("eyJ1c2VyIjoiYSJ9.e30.YQ"));
        await using var server = new AcceptingNatsServer();
        await using var bus = new NatsBus(CredsOptions(server, creds));
        using var timeout = new CancellationTokenSource(_bound);
        await bus.WaitForConnectionAsync(TimeSpan.Zero);
        Assert.Contains("\"jwt\":\"eyJ1c2VyIjoiYSJ9.e30.YQ\"", await server.NextConnectAsync(timeout.Token), StringComparison.Ordinal);
        await bus.Opened.WaitAsync(_bound);

        // Another user's credentials, renamed over the file as a renewal tool writes it; then the connection breaks.
        RenewedFile.Replace(creds, Creds("eyJ1c2VyIjoiYiJ9.e30.Yg"));
        server.Drop();

        Assert.Contains("\"jwt\":\"eyJ1c2VyIjoiYiJ9.e30.Yg\"", await server.NextConnectAsync(timeout.Token), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACredsFileSwappedForAFifo_FailsTheConnectNamingIt_WithoutBlocking_AndTheNextConnectReadsTheFixedFile()
    {
        var creds = Write("user.creds", Creds("eyJ1c2VyIjoiYSJ9.e30.YQ"));
        var log = new RecordingLogger<NatsBus>();
        using var logging = LoggerFactory.Create(b => b.AddProvider(new RecordingLoggerProvider<NatsBus>(log)).AddFilter("NATS", LogLevel.None));
        await using var server = new AcceptingNatsServer();
        await using var bus = new NatsBus(CredsOptions(server, creds), logging);
        using var fifo = FifoSwap.Replace(creds);
        using var timeout = new CancellationTokenSource(_bound);

        // A blocking open would find the FIFO's writer (held open, never writing) and wait in its read for good.
        await bus.WaitForConnectionAsync(TimeSpan.Zero);
        var line = await log.NextLineAsync("nats: cannot connect to", timeout.Token);
        await fifo.Opened.WaitAsync(_bound);

        Assert.Contains($"DECNET_BUS_NATS_CREDS='{creds}' is a FIFO, not a regular file", line, StringComparison.Ordinal);
        RenewedFile.Replace(creds, Creds("eyJ1c2VyIjoiYiJ9.e30.Yg"));
        Assert.Contains("\"jwt\":\"eyJ1c2VyIjoiYiJ9.e30.Yg\"", await server.NextConnectAsync(timeout.Token), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AClientCertificateRenewedBetweenConnects_TheReconnectPresentsTheNewOne()
    {
        var (ca, serverPaths, client) = WriteCertificates();
        var (_, renewedServer, renewed) = WriteCertificates("renewed-");
        await using var server = await StartTlsServerAsync(serverPaths);
        await using var bus = new NatsBus(TlsOptions(server, "renewed", ca, client));
        await using var subscription = await bus.SubscribeAsync("tls.>");
        await bus.PublishAsync("tls.before", new { n = 1 });
        Assert.Equal("tls.before", (await Read.OneAsync(subscription)).Topic);

        // The renewed certificate is of another authority, the only one the restarted server trusts: a reconnect that
        // presented the first certificate again would be refused for good.
        RenewedFile.Replace(client.Cert, File.ReadAllText(renewed.Cert));
        RenewedFile.Replace(client.Key, File.ReadAllText(renewed.Key));
        RenewedFile.Replace(serverPaths.Ca, File.ReadAllText(renewedServer.Ca));
        var closed = bus.Closed;
        await server.RestartAsync();
        await closed.WaitAsync(_bound);
        await bus.Opened.WaitAsync(_bound);

        await bus.PublishAsync("tls.after", new { n = 2 });
        Assert.Equal("tls.after", (await Read.OneAsync(subscription)).Topic);
    }

    [Fact]
    public async Task AClientCertificateSwappedForAFifo_FailsTheReconnect_WithoutBlocking_AndTheNextReconnectReadsTheFixedFile()
    {
        var (ca, serverPaths, client) = WriteCertificates();
        await using var server = await StartTlsServerAsync(serverPaths);
        await using var bus = new NatsBus(TlsOptions(server, "tls", ca, client));
        await using var subscription = await bus.SubscribeAsync("tls.>");
        await bus.PublishAsync("tls.before", new { n = 1 });
        Assert.Equal("tls.before", (await Read.OneAsync(subscription)).Topic);

        var certificate = File.ReadAllText(client.Cert);
        using var fifo = FifoSwap.Replace(client.Cert);
        var closed = bus.Closed;
        await server.RestartAsync();
        await closed.WaitAsync(_bound);
        var opened = bus.Opened;

        // Read (non-blocking) and refused at a reconnect; a blocking read would wait on the writer for good, so the
        // restored file would never be read.
        await fifo.Opened.WaitAsync(_bound);
        Assert.False(opened.IsCompleted, "the client reconnected without the certificate file");
        RenewedFile.Replace(client.Cert, certificate);
        await opened.WaitAsync(_bound);

        await bus.PublishAsync("tls.after", new { n = 2 });
        Assert.Equal("tls.after", (await Read.OneAsync(subscription)).Topic);
    }

    [Fact]
    public async Task ACaFileOfAnotherAuthority_IsStillEnforced_TheServerIsNotTrusted()
    {
        // The CA now reaches the handshake from memory: it must still be the only root trusted, as the client's
        // CaFile was.
        var (_, serverPaths, client) = WriteCertificates();
        var (stranger, _, _) = WriteCertificates("other-");
        var log = new RecordingLogger<NatsBus>();
        using var logging = LoggerFactory.Create(b => b.AddProvider(new RecordingLoggerProvider<NatsBus>(log)).AddFilter("NATS", LogLevel.None));
        await using var server = await StartTlsServerAsync(serverPaths);
        await using var bus = new NatsBus(TlsOptions(server, "stranger", stranger, client), logging);

        await bus.WaitForConnectionAsync(TimeSpan.Zero);
        using var timeout = new CancellationTokenSource(_bound);
        var line = await log.NextLineAsync("nats: cannot connect to", timeout.Token);

        Assert.False(bus.IsConnected, line);
        Assert.Contains("certificate", line, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ATlsFileThatIsAFifoWhenTheBusIsBuilt_FailsEachConnect_NamingIt_WithoutBlocking()
    {
        // Each read goes through the checked open (non-blocking, asked what it is): a FIFO is refused, not waited on.
        // It has no writer, so a blocking open would wait in the open itself.
        var (ca, serverPaths, client) = WriteCertificates();
        var log = new RecordingLogger<NatsBus>();
        using var logging = LoggerFactory.Create(b => b.AddProvider(new RecordingLoggerProvider<NatsBus>(log)).AddFilter("NATS", LogLevel.None));
        await using var server = await StartTlsServerAsync(serverPaths);
        File.Delete(ca);
        Fifo.Make(ca);
        await using var bus = new NatsBus(TlsOptions(server, "fifo", ca, client), logging);

        await bus.WaitForConnectionAsync(TimeSpan.Zero);
        using var timeout = new CancellationTokenSource(_bound);
        var line = await log.NextLineAsync("nats: cannot connect to", timeout.Token);

        Assert.Contains($"DECNET_BUS_NATS_TLS_CA='{ca}' is a FIFO, not a regular file", line, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _pki.Dispose();
        _directory.Delete(recursive: true);
    }

    private static Task<NatsServer> StartTlsServerAsync((string Ca, string Cert, string Key) paths)
        => TestPki.StartServerAsync((paths.Cert, paths.Key), paths.Ca);

    /// <summary>Text in the creds form: the fake server asks for no signature, so the seed is never used.</summary>
    private static string Creds(string jwt)
        => $"-----BEGIN NATS USER JWT-----\n{jwt}\n------END NATS USER JWT------\n\n"
            + "-----BEGIN USER NKEY SEED-----\nSUAGIBBERISH\n------END USER NKEY SEED------\n";

    private static DecnetBusOptions CredsOptions(AcceptingNatsServer server, string creds)
    {
        var options = new DecnetBusOptions
        {
            Type = DecnetBusOptions.NatsTransport,
            ClientName = "creds",
            ReconnectMinDelay = TimeSpan.FromMilliseconds(20),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
        };
        options.Nats.Url = server.Url;
        options.Nats.CredentialsFile = creds;
        return options;
    }

    private static DecnetBusOptions TlsOptions(NatsServer server, string name, string ca, (string Cert, string Key) client)
    {
        var options = NatsTestOptions.For(server, name);
        options.Nats.TlsCaFile = ca;
        options.Nats.TlsCertFile = client.Cert;
        options.Nats.TlsKeyFile = client.Key;
        return options;
    }

    private string Write(string name, string text) => _pki.Write(name, text);

    /// <summary>
    /// A CA, a server certificate for 127.0.0.1 and a client certificate, as PEM files (the server's own copies).
    /// </summary>
    private (string Ca, (string Ca, string Cert, string Key) Server, (string Cert, string Key) Client) WriteCertificates(string prefix = "")
    {
        var authority = _pki.Authority($"{prefix}decnet test CA");
        var server = _pki.Leaf($"{prefix}server", authority, TestPki.ServerAuth);
        var client = _pki.Leaf($"{prefix}client", authority, TestPki.ClientAuth);
        return (_pki.Write($"{prefix}ca.pem", authority), (_pki.Write($"{prefix}server-ca.pem", authority), server.Cert, server.Key), client);
    }
}
