namespace Decnet.Bus.Nats.Tests.Support;

/// <summary>Client options for a test server: fast reconnects so outage tests stay short.</summary>
internal static class NatsTestOptions
{
    public static DecnetBusOptions For(NatsServer server, string name = "test", bool echo = true, int queueSize = SubscriptionOptions.DefaultQueueSize)
    {
        var options = new DecnetBusOptions
        {
            Type = DecnetBusOptions.NatsTransport,
            ClientName = name,
            Echo = echo,
            QueueSize = queueSize,
            ReconnectMinDelay = TimeSpan.FromMilliseconds(20),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
        };
        options.Nats.Url = server.Url;
        return options;
    }
}
