using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Decnet.Bus.Nats.Internal;

/// <summary>
/// Trusts a server as the NATS client's own CaFile did (NATS.Client.Core 3.3.2), with the certificates of
/// DECNET_BUS_NATS_TLS_CA read for this handshake: the server's chain must end at one of them, which may be a root,
/// an intermediate (cert-manager's ca.crt may be one) or the server's certificate itself. A chain the system cannot
/// complete is built again with them as extra certificates and an unknown root allowed; a host-name mismatch, an
/// expired certificate or one not for server authentication is still refused, as the system's check finds them.
/// </summary>
internal sealed class NatsCaTrust(X509Certificate2Collection authorities)
{
    /// <summary>A <see cref="RemoteCertificateValidationCallback"/>.</summary>
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if ((errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0 && chain is not null && certificate is X509Certificate2 leaf)
        {
            // The chain keeps the policy the handshake gave it (the server-auth usage, the time): only an unknown
            // authority, which the last element's check below replaces, is let through.
            chain.ChainPolicy.VerificationFlags = X509VerificationFlags.AllowUnknownCertificateAuthority;
            chain.ChainPolicy.ExtraStore.AddRange(authorities);
            if (chain.Build(leaf))
            {
                errors &= ~SslPolicyErrors.RemoteCertificateChainErrors;
            }
        }

        // Trusted by the system or not, the chain must end at a certificate of the file.
        if (chain is null || chain.ChainElements.Count == 0 || !IsAuthority(chain.ChainElements[^1].Certificate))
        {
            errors |= SslPolicyErrors.RemoteCertificateChainErrors;
        }

        return errors == SslPolicyErrors.None;
    }

    private bool IsAuthority(X509Certificate2 last)
    {
        foreach (var authority in authorities)
        {
            if (authority.RawData.AsSpan().SequenceEqual(last.RawData))
            {
                return true;
            }
        }

        return false;
    }
}
