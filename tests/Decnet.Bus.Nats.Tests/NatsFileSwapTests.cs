using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Decnet.Bus.Nats.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Decnet.Bus.Nats.Tests;

/// <summary>
/// The files DECNET_BUS_NATS_CREDS and DECNET_BUS_NATS_TLS_* name are read once, when the bus is built: a file swapped
/// for a FIFO afterwards is never opened by a connect or a reconnect (the client's own reads by path would block on it
/// until some process wrote to it).
/// </summary>
[RequiresNatsServer]
public sealed class NatsFileSwapTests : IDisposable
{
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(30);
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("decnet-nats-files-");

    [Fact]
    public async Task ACredsFileSwappedForAFifoAfterStartUp_IsNotOpenedAtConnect_AndItsJwtIsSent()
    {
        // Any text in the creds form: the scripted server asks for no signature, so the seed is never used.
        var creds = Write("user.creds", "-----BEGIN NATS USER JWT-----\neyJ0ZXN0IjoxfQ.e30.c2ln\n------END NATS USER JWT------\n\n"
            + "-----BEGIN USER NKEY SEED-----\nSUAGIBBERISH\n------END USER NKEY SEED------\n");
        await using var server = new ScriptedNatsServer("Authorization Violation");
        var options = new DecnetBusOptions { Type = DecnetBusOptions.NatsTransport, ClientName = "creds" };
        options.Nats.Url = server.Url;
        options.Nats.CredentialsFile = creds;
        await using var bus = new NatsBus(options);
        using var fifo = FifoSwap.Replace(creds);

        // Starts connecting and returns at once: the connection's fate is read from the server and the FIFO.
        await bus.WaitForConnectionAsync(TimeSpan.Zero);
        var first = await Task.WhenAny(server.FirstConnect, fifo.Opened).WaitAsync(_bound);

        Assert.True(first == server.FirstConnect, "the client opened the credentials file again at connect");
        Assert.Contains("\"jwt\":\"eyJ0ZXN0IjoxfQ.e30.c2ln\"", await server.FirstConnect, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TlsFilesSwappedForFifosAfterStartUp_AreNotOpenedAtReconnect_AndTheReconnectUsesWhatWasRead()
    {
        var (ca, serverPaths, client) = WriteCertificates();
        await using var server = await StartTlsServerAsync(serverPaths);
        var options = NatsTestOptions.For(server, "tls");
        options.Nats.TlsCaFile = ca;
        options.Nats.TlsCertFile = client.Cert;
        options.Nats.TlsKeyFile = client.Key;
        await using var bus = new NatsBus(options);
        await using var subscription = await bus.SubscribeAsync("tls.>");
        await bus.PublishAsync("tls.before", new { n = 1 });
        Assert.Equal("tls.before", (await Read.OneAsync(subscription)).Topic);

        using var caFifo = FifoSwap.Replace(ca);
        using var certFifo = FifoSwap.Replace(client.Cert);
        using var keyFifo = FifoSwap.Replace(client.Key);
        var closed = bus.Closed;
        await server.RestartAsync();
        await closed.WaitAsync(_bound);
        var opened = bus.Opened;
        var first = await Task.WhenAny(opened, caFifo.Opened, certFifo.Opened, keyFifo.Opened).WaitAsync(_bound);

        Assert.True(first == opened, "the client opened a TLS file again at reconnect");
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
        var options = NatsTestOptions.For(server, "stranger");
        options.Nats.TlsCaFile = stranger;
        options.Nats.TlsCertFile = client.Cert;
        options.Nats.TlsKeyFile = client.Key;
        await using var bus = new NatsBus(options, logging);

        await bus.WaitForConnectionAsync(TimeSpan.Zero);
        using var timeout = new CancellationTokenSource(_bound);
        var line = await log.NextLineAsync("nats: cannot connect to", timeout.Token);

        Assert.False(bus.IsConnected, line);
        Assert.Contains("certificate", line, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ATlsFileThatIsAFifoWhenTheBusIsBuilt_FailsEachConnect_NamingIt_WithoutBlocking()
    {
        // The one read goes through the checked open (non-blocking, asked what it is): a FIFO is refused, not waited on.
        var (ca, serverPaths, client) = WriteCertificates();
        var log = new RecordingLogger<NatsBus>();
        using var logging = LoggerFactory.Create(b => b.AddProvider(new RecordingLoggerProvider<NatsBus>(log)).AddFilter("NATS", LogLevel.None));
        await using var server = await StartTlsServerAsync(serverPaths);
        using var fifo = FifoSwap.Replace(ca);
        var options = NatsTestOptions.For(server, "fifo");
        options.Nats.TlsCaFile = ca;
        options.Nats.TlsCertFile = client.Cert;
        options.Nats.TlsKeyFile = client.Key;
        await using var bus = new NatsBus(options, logging);

        await bus.WaitForConnectionAsync(TimeSpan.Zero);
        using var timeout = new CancellationTokenSource(_bound);
        var line = await log.NextLineAsync("nats: cannot connect to", timeout.Token);

        Assert.Contains($"DECNET_BUS_NATS_TLS_CA='{ca}' is a FIFO, not a regular file", line, StringComparison.Ordinal);
        Assert.False(fifo.Opened.IsCompleted, "the FIFO was opened blocking");
    }

    public void Dispose() => _directory.Delete(recursive: true);

    private static Task<NatsServer> StartTlsServerAsync((string Ca, string Cert, string Key) paths)
        => NatsServer.StartAsync($"tls {{\n  cert_file: \"{paths.Cert}\"\n  key_file: \"{paths.Key}\"\n  ca_file: \"{paths.Ca}\"\n  verify: true\n}}\n");

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>A CA, a server certificate for 127.0.0.1 and a client certificate, as PEM files (the server's own copies).</summary>
    private (string Ca, (string Ca, string Cert, string Key) Server, (string Cert, string Key) Client) WriteCertificates(string prefix = "")
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=decnet test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var authority = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));

        (string Cert, string Key) Leaf(string name, string usage, byte serial)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
            using var certificate = request.Create(authority, now.AddDays(-1), now.AddDays(1), [serial]);
            return (Write($"{prefix}{name}.pem", certificate.ExportCertificatePem()), Write($"{prefix}{name}-key.pem", key.ExportPkcs8PrivateKeyPem()));
        }

        var caPem = authority.ExportCertificatePem();
        var server = Leaf("server", "1.3.6.1.5.5.7.3.1", 1);
        var client = Leaf("client", "1.3.6.1.5.5.7.3.2", 2);
        return (Write($"{prefix}ca.pem", caPem), (Write($"{prefix}server-ca.pem", caPem), server.Cert, server.Key), client);
    }
}
