namespace Decnet.Bus;

public static partial class DecnetBusVariables
{
    /// <summary>NATS server URL(s), comma-separated, default <c>nats://127.0.0.1:4222</c>; section key <c>Nats:Url</c>.</summary>
    public const string NatsUrl = "DECNET_BUS_NATS_URL";

    /// <summary>NATS credentials file (JWT + NKey seed); section key <c>Nats:CredentialsFile</c>.</summary>
    public const string NatsCreds = "DECNET_BUS_NATS_CREDS";

    /// <summary>NATS user name; section key <c>Nats:User</c>.</summary>
    public const string NatsUser = "DECNET_BUS_NATS_USER";

    /// <summary>NATS password; section key <c>Nats:Password</c>.</summary>
    public const string NatsPassword = "DECNET_BUS_NATS_PASSWORD";

    /// <summary>NATS authentication token; section key <c>Nats:Token</c>.</summary>
    public const string NatsToken = "DECNET_BUS_NATS_TOKEN";

    /// <summary>PEM CA file that verifies the NATS server; section key <c>Nats:TlsCaFile</c>.</summary>
    public const string NatsTlsCa = "DECNET_BUS_NATS_TLS_CA";

    /// <summary>PEM client certificate for mutual TLS; section key <c>Nats:TlsCertFile</c>.</summary>
    public const string NatsTlsCert = "DECNET_BUS_NATS_TLS_CERT";

    /// <summary>PEM private key of the client certificate; section key <c>Nats:TlsKeyFile</c>.</summary>
    public const string NatsTlsKey = "DECNET_BUS_NATS_TLS_KEY";
}
