namespace Decnet.Bus;

/// <summary>
/// Settings of the <c>nats</c> transport (<c>DECNET_BUS_NATS_*</c>), checked at host start with the other bus options.
/// See docs/cross-host.md for the deployment they serve.
/// </summary>
public sealed class DecnetBusNatsOptions
{
    /// <summary>The server URL used when none is configured.</summary>
    public const string DefaultUrl = "nats://127.0.0.1:4222";

    /// <summary>
    /// Longest topic or pattern, in UTF-8 bytes, the NATS transport sends. A nats-server with the default
    /// <c>max_control_line</c> (4096 bytes) closes the connection over a longer protocol line, and the line also holds
    /// the command, a subscription id or the sizes: 96 bytes are kept for those. <c>DECNET_BUS_MAX_TOPIC_BYTES</c> may
    /// not exceed it with <c>DECNET_BUS_TYPE=nats</c> (docs/cross-host.md).
    /// </summary>
    public const int MaxSubjectBytes = 4000;

    /// <summary>
    /// <c>DECNET_BUS_NATS_URL</c>: one or more comma-separated server URLs (<c>nats://</c> or <c>tls://</c>, host and
    /// optional port); the client picks one and fails over to the others.
    /// </summary>
    public string Url { get; set; } = DefaultUrl;

    /// <summary><c>DECNET_BUS_NATS_CREDS</c>: a NATS credentials file (user JWT and NKey seed); empty for none.</summary>
    public string CredentialsFile { get; set; } = string.Empty;

    /// <summary><c>DECNET_BUS_NATS_USER</c>: user name for user/password authentication; empty for none.</summary>
    public string User { get; set; } = string.Empty;

    /// <summary><c>DECNET_BUS_NATS_PASSWORD</c>: password for <see cref="User"/>.</summary>
    public string Password { get; set; } = string.Empty;

    /// <summary><c>DECNET_BUS_NATS_TOKEN</c>: an authentication token; empty for none.</summary>
    public string Token { get; set; } = string.Empty;

    /// <summary><c>DECNET_BUS_NATS_TLS_CA</c>: PEM file of the CA that signed the server certificate; empty for the system store.</summary>
    public string TlsCaFile { get; set; } = string.Empty;

    /// <summary><c>DECNET_BUS_NATS_TLS_CERT</c>: PEM client certificate for mutual TLS; needs <see cref="TlsKeyFile"/>.</summary>
    public string TlsCertFile { get; set; } = string.Empty;

    /// <summary><c>DECNET_BUS_NATS_TLS_KEY</c>: PEM private key of <see cref="TlsCertFile"/>.</summary>
    public string TlsKeyFile { get; set; } = string.Empty;

    /// <summary>
    /// True when any TLS file is configured or any URL is <c>tls://</c>: the connection then requires TLS of every
    /// server it tries, so a <c>nats://</c> entry beside a <c>tls://</c> one is not reached in plain text.
    /// </summary>
    public bool UsesTls => TlsCaFile.Length > 0 || TlsCertFile.Length > 0
        || Urls.Any(static url => url.StartsWith("tls://", StringComparison.OrdinalIgnoreCase));

    /// <summary>The configured URLs, split and trimmed.</summary>
    public IReadOnlyList<string> Urls => Url.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}
