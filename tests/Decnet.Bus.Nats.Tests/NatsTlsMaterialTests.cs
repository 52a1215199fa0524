using System.Net.Security;
using Decnet.Bus.Nats.Internal;

namespace Decnet.Bus.Nats.Tests;

/// <summary>
/// Options built in code skip the validator: a client certificate without its key (or a key without its certificate)
/// fails each connect naming both variables, as the NATS client's own CertFile/KeyFile check did, rather than
/// connecting with no client certificate.
/// </summary>
public sealed class NatsTlsMaterialTests
{
    [Theory]
    [InlineData("/etc/decnet/client.pem", "")]
    [InlineData("", "/etc/decnet/client-key.pem")]
    public async Task ACertificateWithoutItsKey_OrTheReverse_FailsTheHandshake_NamingBothVariables(string certFile, string keyFile)
    {
        var nats = new DecnetBusNatsOptions { TlsCertFile = certFile, TlsKeyFile = keyFile };

        var error = await Assert.ThrowsAsync<IOException>(() => new NatsTlsMaterial(nats).ApplyAsync(new SslClientAuthenticationOptions()).AsTask());

        Assert.Contains("DECNET_BUS_NATS_TLS_CERT and DECNET_BUS_NATS_TLS_KEY must both be set", error.Message, StringComparison.Ordinal);
    }
}
