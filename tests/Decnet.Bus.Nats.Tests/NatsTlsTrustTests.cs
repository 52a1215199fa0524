using System.Net;
using Decnet.Bus.Nats.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Decnet.Bus.Nats.Tests;

/// <summary>
/// DECNET_BUS_NATS_TLS_CA trusts what the NATS client's own CaFile trusted: a server chain that ends at any
/// certificate of the file (a root, an intermediate such as cert-manager's ca.crt may be, or the server's own
/// certificate), with the host name, the validity and the server-auth usage still checked.
/// </summary>
[RequiresNatsServer]
public sealed class NatsTlsTrustTests : IDisposable
{
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(30);
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("decnet-nats-trust-");
    private readonly TestPki _pki;

    public NatsTlsTrustTests() => _pki = new TestPki(_directory);

    [Fact]
    public async Task ACaFileHoldingOnlyTheIntermediate_TrustsAServerItSigned()
    {
        var root = _pki.Authority("root");
        var intermediate = _pki.Authority("intermediate", root);
        var server = _pki.Leaf("server", intermediate, TestPki.ServerAuth, chain: intermediate);

        Assert.Equal("connected", await ConnectAsync(server, _pki.Write("ca.pem", intermediate), root));
    }

    [Fact]
    public async Task ACaFileHoldingTheServersOwnCertificate_TrustsIt()
    {
        var root = _pki.Authority("root");
        var server = _pki.Leaf("server", root, TestPki.ServerAuth);

        Assert.Equal("connected", await ConnectAsync(server, server.Cert, root));
    }

    [Fact]
    public async Task ARootCaFile_TrustsAServerSentWithItsIntermediate()
    {
        var root = _pki.Authority("root");
        var intermediate = _pki.Authority("intermediate", root);
        var server = _pki.Leaf("server", intermediate, TestPki.ServerAuth, chain: intermediate);

        Assert.Equal("connected", await ConnectAsync(server, _pki.Write("ca.pem", root), root));
    }

    [Fact]
    public async Task AServerCertificateForAnotherHost_IsRefused()
    {
        var root = _pki.Authority("root");
        var server = _pki.Leaf("server", root, TestPki.ServerAuth, host: IPAddress.Parse("10.9.9.9"));

        Assert.StartsWith("refused", await ConnectAsync(server, _pki.Write("ca.pem", root), root), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnExpiredServerCertificate_IsRefused()
    {
        var root = _pki.Authority("root");
        var server = _pki.Leaf("server", root, TestPki.ServerAuth, expired: true);

        Assert.StartsWith("refused", await ConnectAsync(server, _pki.Write("ca.pem", root), root), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AServerCertificateForClientAuthenticationOnly_IsRefused()
    {
        var root = _pki.Authority("root");
        var server = _pki.Leaf("server", root, TestPki.ClientAuth);

        Assert.StartsWith("refused", await ConnectAsync(server, _pki.Write("ca.pem", root), root), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AServerOfAnotherAuthority_IsRefused()
    {
        var root = _pki.Authority("root");
        var stranger = _pki.Authority("stranger");
        var server = _pki.Leaf("server", stranger, TestPki.ServerAuth);

        Assert.StartsWith("refused", await ConnectAsync(server, _pki.Write("ca.pem", root), root), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _pki.Dispose();
        _directory.Delete(recursive: true);
    }

    /// <summary>
    /// "connected", or "refused: " and the line saying why the first connect failed, for a client trusting
    /// <paramref name="caFile"/> and presenting a certificate of <paramref name="clientRoot"/>.
    /// </summary>
    private async Task<string> ConnectAsync((string Cert, string Key) serverFiles, string caFile, System.Security.Cryptography.X509Certificates.X509Certificate2 clientRoot)
    {
        var client = _pki.Leaf("client", clientRoot, TestPki.ClientAuth);
        await using var server = await TestPki.StartServerAsync(serverFiles, _pki.Write("clients-ca.pem", clientRoot));
        var log = new RecordingLogger<NatsBus>();
        using var logging = LoggerFactory.Create(b => b.AddProvider(new RecordingLoggerProvider<NatsBus>(log)).AddFilter("NATS", LogLevel.None));
        var options = NatsTestOptions.For(server, "trust");
        options.Nats.TlsCaFile = caFile;
        options.Nats.TlsCertFile = client.Cert;
        options.Nats.TlsKeyFile = client.Key;
        await using var bus = new NatsBus(options, logging);

        if (await bus.WaitForFirstAttemptAsync(_bound, CancellationToken.None))
        {
            return "connected";
        }

        using var timeout = new CancellationTokenSource(_bound);
        return "refused: " + await log.NextLineAsync("nats: cannot connect to", timeout.Token);
    }
}
