using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Decnet.Bus.Internal;

namespace Decnet.Bus.Nats.Internal;

/// <summary>
/// The CA and client certificate DECNET_BUS_NATS_TLS_* name, read (through <see cref="ReadableFile.ReadAllText"/>)
/// and parsed for each TLS handshake, at every connect and reconnect, so a renewed certificate is presented at the
/// next one. Not the client's own CaFile, CertFile and KeyFile: it would open those paths with blocking opens, and a
/// file swapped for a FIFO would hang the reconnect (docs/cross-host.md). A file that cannot be read or parsed fails
/// that handshake with the reason; the next one reads the files again.
/// </summary>
internal sealed class NatsTlsMaterial
{
    private readonly string _caFile;
    private readonly string _certFile;
    private readonly string _keyFile;

    /// <summary>Takes the paths <paramref name="nats"/> names now: a later change of the options is not seen.</summary>
    public NatsTlsMaterial(DecnetBusNatsOptions nats)
    {
        _caFile = nats.TlsCaFile;
        _certFile = nats.TlsCertFile;
        _keyFile = nats.TlsKeyFile;
    }

    /// <summary>
    /// Reads the files and gives the handshake the client certificate and, with a CA file, trusts only a server whose
    /// chain ends at one of its certificates (<see cref="NatsCaTrust"/>, as the client's CaFile did). Faults with an
    /// <see cref="IOException"/> naming the variable and the path when a file cannot be read or parsed.
    /// </summary>
    public ValueTask ApplyAsync(SslClientAuthenticationOptions options)
    {
        try
        {
            var authorities = ReadAuthorities();
            if (ReadClient() is { } client)
            {
                options.ClientCertificateContext = client;
            }

            if (authorities is not null)
            {
                options.RemoteCertificateValidationCallback = new NatsCaTrust(authorities).Validate;
            }

            return ValueTask.CompletedTask;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ValueTask.FromException(ex is IOException ? ex : new IOException(ex.Message, ex));
        }
    }

    private X509Certificate2Collection? ReadAuthorities()
    {
        if (_caFile.Length == 0)
        {
            return null;
        }

        X509Certificate2Collection authorities = [];
        try
        {
            authorities.ImportFromPem(NatsFiles.Read(DecnetBusVariables.NatsTlsCa, _caFile));
        }
        catch (CryptographicException ex)
        {
            throw Unparsed($"{DecnetBusVariables.NatsTlsCa}='{Topics.Printable(_caFile)}'", ex);
        }

        return authorities.Count > 0
            ? authorities
            : throw new IOException($"{DecnetBusVariables.NatsTlsCa}='{Topics.Printable(_caFile)}' holds no PEM certificate");
    }

    private SslStreamCertificateContext? ReadClient()
    {
        if (_certFile.Length == 0 && _keyFile.Length == 0)
        {
            return null;
        }

        if (_certFile.Length == 0 || _keyFile.Length == 0)
        {
            // Options built in code skip the validator: a half-set pair fails the connect, as the client's own
            // CertFile/KeyFile check did, instead of connecting with no client certificate.
            throw new IOException($"{DecnetBusVariables.NatsTlsCert} and {DecnetBusVariables.NatsTlsKey} must both be set for a client certificate (only {(_certFile.Length > 0 ? DecnetBusVariables.NatsTlsCert : DecnetBusVariables.NatsTlsKey)} is)");
        }

        var certificatePem = NatsFiles.Read(DecnetBusVariables.NatsTlsCert, _certFile);
        var keyPem = NatsFiles.Read(DecnetBusVariables.NatsTlsKey, _keyFile);
        try
        {
            var leaf = X509Certificate2.CreateFromPem(certificatePem, keyPem);

            // Certificates after the first in the file are its chain, sent with it. Offline: the chain is what the
            // file holds; building it must not fetch intermediates over the network during a handshake.
            X509Certificate2Collection chain = [];
            chain.ImportFromPem(certificatePem);
            chain.RemoveAt(0);
            return SslStreamCertificateContext.Create(leaf, chain, offline: true);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            // Read between a renewal's writes of the two files, they may not match yet: the next connect reads both
            // again.
            throw Unparsed($"{DecnetBusVariables.NatsTlsCert}='{Topics.Printable(_certFile)}' with {DecnetBusVariables.NatsTlsKey}='{Topics.Printable(_keyFile)}'", ex);
        }
    }

    private static IOException Unparsed(string files, Exception ex)
        => new($"{files} cannot be parsed ({ex.Message})", ex);
}
