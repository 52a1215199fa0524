namespace Decnet.Bus;

public static partial class DecnetBusVariables
{
    /// <summary>NATS server URL(s), comma-separated, default <c>nats://127.0.0.1:4222</c>; section key <c>NatsUrl</c>.</summary>
    public const string NatsUrl = "DECNET_BUS_NATS_URL";

    /// <summary>NATS credentials file (JWT + NKey seed); section key <c>NatsCreds</c>.</summary>
    public const string NatsCreds = "DECNET_BUS_NATS_CREDS";

    /// <summary>NATS user name; section key <c>NatsUser</c>.</summary>
    public const string NatsUser = "DECNET_BUS_NATS_USER";

    /// <summary>NATS password; section key <c>NatsPassword</c>.</summary>
    public const string NatsPassword = "DECNET_BUS_NATS_PASSWORD";

    /// <summary>NATS authentication token; section key <c>NatsToken</c>.</summary>
    public const string NatsToken = "DECNET_BUS_NATS_TOKEN";

    /// <summary>PEM CA file that verifies the NATS server; section key <c>NatsTlsCa</c>.</summary>
    public const string NatsTlsCa = "DECNET_BUS_NATS_TLS_CA";

    /// <summary>PEM client certificate for mutual TLS; section key <c>NatsTlsCert</c>.</summary>
    public const string NatsTlsCert = "DECNET_BUS_NATS_TLS_CERT";

    /// <summary>PEM private key of the client certificate; section key <c>NatsTlsKey</c>.</summary>
    public const string NatsTlsKey = "DECNET_BUS_NATS_TLS_KEY";
}
