using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Decnet.Bus.Nats.Tests.Support;

/// <summary>
/// Certificates for TLS tests, written as PEM files into a directory: authorities (a root, an intermediate it signs)
/// and leaves for 127.0.0.1 with a chosen extended key usage, validity and host.
/// </summary>
internal sealed class TestPki(DirectoryInfo directory) : IDisposable
{
    public const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    public const string ClientAuth = "1.3.6.1.5.5.7.3.2";

    private readonly List<IDisposable> _owned = [];
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;
    private byte _serial;

    /// <summary>A self-signed root, or an intermediate <paramref name="issuer"/> (with its key) signs.</summary>
    public X509Certificate2 Authority(string name, X509Certificate2? issuer = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        X509Certificate2 authority;
        if (issuer is null)
        {
            authority = request.CreateSelfSigned(_now.AddDays(-10), _now.AddDays(10));
        }
        else
        {
            using var signed = request.Create(issuer, _now.AddDays(-9), _now.AddDays(9), [++_serial]);
            authority = signed.CopyWithPrivateKey(key);
        }

        _owned.Add(authority);
        return authority;
    }

    /// <summary>
    /// A leaf <paramref name="issuer"/> signs, for 127.0.0.1 unless <paramref name="host"/> says otherwise, valid
    /// around now unless <paramref name="expired"/>; its certificate file holds <paramref name="chain"/> after it.
    /// </summary>
    public (string Cert, string Key) Leaf(string name, X509Certificate2 issuer, string usage, IPAddress? host = null, bool expired = false, params X509Certificate2[] chain)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(host ?? IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        var (notBefore, notAfter) = expired ? (_now.AddDays(-3), _now.AddDays(-1)) : (_now.AddDays(-1), _now.AddDays(1));
        using var certificate = request.Create(issuer, notBefore, notAfter, [++_serial]);
        var pem = certificate.ExportCertificatePem() + "\n" + string.Join("\n", chain.Select(c => c.ExportCertificatePem()));
        return (Write($"{name}.pem", pem), Write($"{name}-key.pem", key.ExportPkcs8PrivateKeyPem()));
    }

    /// <summary>Writes <paramref name="certificates"/> (PEM) to a file; its path.</summary>
    public string Write(string name, params X509Certificate2[] certificates)
        => Write(name, string.Join("\n", certificates.Select(c => c.ExportCertificatePem())));

    public string Write(string name, string text)
    {
        var path = Path.Combine(directory.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>
    /// A nats-server requiring TLS with <paramref name="server"/>, verifying clients against
    /// <paramref name="clientCa"/>.
    /// </summary>
    public static Task<NatsServer> StartServerAsync((string Cert, string Key) server, string clientCa)
        => NatsServer.StartAsync($"tls {{\n  cert_file: \"{server.Cert}\"\n  key_file: \"{server.Key}\"\n  ca_file: \"{clientCa}\"\n  verify: true\n}}\n");

    public void Dispose()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }
    }
}
