namespace Decnet.Bus;

internal sealed partial class DecnetBusOptionsSetup
{
    /// <summary>The <c>DECNET_BUS_NATS_*</c> rows; kept apart so the transport's settings stay in one place.</summary>
    private static Setting[] NatsSettings() =>
    [
        new(DecnetBusVariables.NatsUrl, "NatsUrl", (o, v) => Set(() => o.Nats.Url = v.Trim())),
        new(DecnetBusVariables.NatsCreds, "NatsCreds", (o, v) => Set(() => o.Nats.CredentialsFile = v.Trim())),
        new(DecnetBusVariables.NatsUser, "NatsUser", (o, v) => Set(() => o.Nats.User = v)),
        new(DecnetBusVariables.NatsPassword, "NatsPassword", (o, v) => Set(() => o.Nats.Password = v)),
        new(DecnetBusVariables.NatsToken, "NatsToken", (o, v) => Set(() => o.Nats.Token = v)),
        new(DecnetBusVariables.NatsTlsCa, "NatsTlsCa", (o, v) => Set(() => o.Nats.TlsCaFile = v.Trim())),
        new(DecnetBusVariables.NatsTlsCert, "NatsTlsCert", (o, v) => Set(() => o.Nats.TlsCertFile = v.Trim())),
        new(DecnetBusVariables.NatsTlsKey, "NatsTlsKey", (o, v) => Set(() => o.Nats.TlsKeyFile = v.Trim())),
    ];
}
