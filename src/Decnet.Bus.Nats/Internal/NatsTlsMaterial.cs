using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Decnet.Bus.Internal;

namespace Decnet.Bus.Nats.Internal;

/// <summary>
/// The CA and client certificate DECNET_BUS_NATS_TLS_* name, read once when the bus is built (through
/// <see cref="ReadableFile.ReadAllText"/>) and given to every TLS handshake from memory. The client's own CaFile,
/// CertFile and KeyFile are paths it reads again at each connect and reconnect, with blocking opens: a file swapped
/// for a FIFO after start-up would hang the reconnect (docs/cross-host.md). A file that could not be read or parsed
/// fails each handshake with the reason, as the client's own read did.
/// </summary>
internal sealed class NatsTlsMaterial
{
    private readonly X509Certificate2Collection? _authorities;
    private readonly SslStreamCertificateContext? _client;
    private readonly Exception? _error;

    private NatsTlsMaterial(X509Certificate2Collection? authorities, SslStreamCertificateContext? client, Exception? error)
    {
        _authorities = authorities;
        _client = client;
        _error = error;
    }

    /// <summary>Reads and parses the files <paramref name="nats"/> names; never throws (see the type).</summary>
    public static NatsTlsMaterial Load(DecnetBusNatsOptions nats)
    {
        try
        {
            X509Certificate2Collection? authorities = null;
            if (nats.TlsCaFile.Length > 0)
            {
                authorities = [];
                authorities.ImportFromPem(NatsFiles.Read(DecnetBusVariables.NatsTlsCa, nats.TlsCaFile));
                if (authorities.Count == 0)
                {
                    throw new IOException($"{DecnetBusVariables.NatsTlsCa}='{Topics.Printable(nats.TlsCaFile)}' holds no PEM certificate");
                }
            }

            SslStreamCertificateContext? client = null;
            if (nats.TlsCertFile.Length > 0 && nats.TlsKeyFile.Length > 0)
            {
                var certificatePem = NatsFiles.Read(DecnetBusVariables.NatsTlsCert, nats.TlsCertFile);
                var leaf = X509Certificate2.CreateFromPem(certificatePem, NatsFiles.Read(DecnetBusVariables.NatsTlsKey, nats.TlsKeyFile));

                // Certificates after the first in the file are its chain, sent with it.
                X509Certificate2Collection chain = [];
                chain.ImportFromPem(certificatePem);
                chain.RemoveAt(0);
                client = SslStreamCertificateContext.Create(leaf, chain);
            }

            return new NatsTlsMaterial(authorities, client, null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            return new NatsTlsMaterial(null, null, ex);
        }
    }

    /// <summary>
    /// Gives the handshake the client certificate and, with a CA file, trusts only its certificates as roots (as the
    /// client's CaFile did: the system's roots are not consulted).
    /// </summary>
    public ValueTask ApplyAsync(SslClientAuthenticationOptions options)
    {
        if (_error is not null)
        {
            return ValueTask.FromException(new IOException(_error.Message, _error));
        }

        if (_client is not null)
        {
            options.ClientCertificateContext = _client;
        }

        if (_authorities is not null)
        {
            var policy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            policy.CustomTrustStore.AddRange(_authorities);
            options.CertificateChainPolicy = policy;
        }

        return ValueTask.CompletedTask;
    }
}
