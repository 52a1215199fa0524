using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Decnet.Bus.Abstractions.Tests.Options;

public sealed class EnvironmentVariableBindingTests
{
    public static TheoryData<string, string, string> ValidValues() => new()
    {
        // variable, value, expected rendering of the bound property
        { DecnetBusVariables.Enabled, "false", "Enabled=False" },
        { DecnetBusVariables.Enabled, "ON", "Enabled=True" },
        { DecnetBusVariables.Type, "UNIX", "Type=UNIX" },
        { DecnetBusVariables.Socket, "/tmp/decnet-test/bus.sock", "SocketPath=/tmp/decnet-test/bus.sock" },
        { DecnetBusVariables.Group, "", "Group=" },
        { DecnetBusVariables.QueueSize, "16", "QueueSize=16" },
        { DecnetBusVariables.Echo, "0", "Echo=False" },
        { DecnetBusVariables.HeartbeatSeconds, "0.5", "HeartbeatInterval=00:00:00.5000000" },
        { DecnetBusVariables.KeepaliveSeconds, "45", "KeepaliveInterval=00:00:45" },
        { DecnetBusVariables.KeepaliveSeconds, "0", "KeepaliveInterval=00:00:00" },
        { DecnetBusVariables.ClientName, "mutator", "ClientName=mutator" },
        { DecnetBusVariables.ReconnectMinMs, "5", "ReconnectMinDelay=00:00:00.0050000" },
        { DecnetBusVariables.ReconnectMaxMs, "2000", "ReconnectMaxDelay=00:00:02" },
        { DecnetBusVariables.MaxFrameBytes, "65536", "MaxFrameBytes=65536" },
        { DecnetBusVariables.MaxFrameBytes, "4096", "MaxFrameBytes=4096" },
        { DecnetBusVariables.QueueSize, "1048576", "QueueSize=1048576" },
        { DecnetBusVariables.MaxTopicBytes, "128", "MaxTopicBytes=128" },
        { DecnetBusVariables.MaxSubscriptions, "10", "MaxSubscriptionsPerConnection=10" },
        { DecnetBusVariables.MaxConnections, "12", "MaxConnections=12" },
        { DecnetBusVariables.MaxConnectionsPerUid, "7", "MaxConnectionsPerUid=7" },
        { DecnetBusVariables.MaxHandshaking, "9", "MaxHandshakingConnections=9" },
        { DecnetBusVariables.MaxTotalQueueBytes, "4294967296", "MaxTotalQueueBytes=4294967296" },
        { DecnetBusVariables.SendBufferBytes, "0", "SendBufferBytes=0" },
        { DecnetBusVariables.SendBufferBytes, "2097152", "SendBufferBytes=2097152" },
    };

    [Theory]
    [MemberData(nameof(ValidValues))]
    public async Task ValidVariable_Binds(string variable, string value, string expected)
    {
        var options = await BusHostFactory.StartAndGetOptionsAsync(new Dictionary<string, string?> { [variable] = value, [DecnetBusVariables.Type] = TypeFor(variable, value) });
        Assert.Equal(expected, Render(options, expected.Split('=')[0]));
    }

    public static TheoryData<string, string, string> InvalidValues() => new()
    {
        // variable, value, expected fragment of the start failure
        { DecnetBusVariables.Enabled, "maybe", "DECNET_BUS_ENABLED='maybe' is not a boolean; use true or false" },
        { DecnetBusVariables.Type, "tcp", "DECNET_BUS_TYPE='tcp' is not a known transport; use one of: unix" },
        { DecnetBusVariables.Socket, "", "DECNET_BUS_SOCKET='' is empty" },
        { DecnetBusVariables.Socket, "/tmp/" + new string('s', 120), "a UNIX socket path holds at most 107 bytes" },
        { DecnetBusVariables.Group, "dec\u0001net", "DECNET_BUS_GROUP='dec\\u0001net' contains a control character" },
        { DecnetBusVariables.QueueSize, "abc", "DECNET_BUS_QUEUE_SIZE='abc' is not an integer" },
        { DecnetBusVariables.QueueSize, "0", "DECNET_BUS_QUEUE_SIZE='0' is out of range; use an integer from 1 to 1048576" },
        { DecnetBusVariables.Echo, "2", "DECNET_BUS_ECHO='2' is not a boolean" },
        { DecnetBusVariables.HeartbeatSeconds, "soon", "DECNET_BUS_HEARTBEAT_S='soon' is not a number of seconds" },
        { DecnetBusVariables.HeartbeatSeconds, "-1", "DECNET_BUS_HEARTBEAT_S='-1' is out of range" },
        { DecnetBusVariables.HeartbeatSeconds, "0.0005", "DECNET_BUS_HEARTBEAT_S='0.0005' is out of range; use 0 (disables) or 0.001 to 86400 seconds" },
        { DecnetBusVariables.KeepaliveSeconds, "often", "DECNET_BUS_KEEPALIVE_S='often' is not a number of seconds" },
        { DecnetBusVariables.KeepaliveSeconds, "-3", "DECNET_BUS_KEEPALIVE_S='-3' is out of range" },
        { DecnetBusVariables.KeepaliveSeconds, "0.0001", "DECNET_BUS_KEEPALIVE_S='0.0001' is out of range; use 0 (disables) or 0.001 to 86400 seconds" },
        { DecnetBusVariables.ClientName, " ", "DECNET_BUS_CLIENT_NAME=' ' is not a usable name" },
        { DecnetBusVariables.ReconnectMinMs, "x", "DECNET_BUS_RECONNECT_MIN_MS='x' is not an integer" },
        { DecnetBusVariables.ReconnectMinMs, "900", "DECNET_BUS_RECONNECT_MIN_MS='900' is greater than DECNET_BUS_RECONNECT_MAX_MS='500'" },
        { DecnetBusVariables.ReconnectMaxMs, "0", "DECNET_BUS_RECONNECT_MAX_MS='0' is out of range" },
        { DecnetBusVariables.MaxFrameBytes, "10", "DECNET_BUS_MAX_FRAME_BYTES='10' is out of range; use an integer from 4096 to 67108864" },

        // The broker negotiates no frame limit under 4096 (a LOST frame must fit) nor a queue over 1,048,576 events
        // (docs/wire-protocol.md): a value it would raise or cap is refused rather than silently changed.
        { DecnetBusVariables.MaxFrameBytes, "2048", "DECNET_BUS_MAX_FRAME_BYTES='2048' is out of range; use an integer from 4096 to 67108864" },
        { DecnetBusVariables.MaxFrameBytes, "67108865", "DECNET_BUS_MAX_FRAME_BYTES='67108865' is out of range" },
        { DecnetBusVariables.QueueSize, "1048577", "DECNET_BUS_QUEUE_SIZE='1048577' is out of range; use an integer from 1 to 1048576" },
        { DecnetBusVariables.MaxTopicBytes, "-1", "DECNET_BUS_MAX_TOPIC_BYTES='-1' is out of range" },
        { DecnetBusVariables.MaxSubscriptions, "0", "DECNET_BUS_MAX_SUBSCRIPTIONS='0' is out of range" },
        { DecnetBusVariables.MaxConnections, "lots", "DECNET_BUS_MAX_CONNECTIONS='lots' is not an integer" },
        { DecnetBusVariables.BrokerUid, "decnet", "DECNET_BUS_BROKER_UID='decnet' is not a numeric uid" },
        { DecnetBusVariables.BrokerUid, "-5", "DECNET_BUS_BROKER_UID='-5' is not a numeric uid" },
        { DecnetBusVariables.MaxConnectionsPerUid, "0", "DECNET_BUS_MAX_CONNECTIONS_PER_UID='0' is out of range; use an integer of at least 1" },
        { DecnetBusVariables.MaxHandshaking, "few", "DECNET_BUS_MAX_HANDSHAKING='few' is not an integer" },
        { DecnetBusVariables.MaxHandshaking, "-2", "DECNET_BUS_MAX_HANDSHAKING='-2' is out of range" },
        { DecnetBusVariables.MaxTotalQueueBytes, "huge", "DECNET_BUS_MAX_TOTAL_QUEUE_BYTES='huge' is not an integer" },
        { DecnetBusVariables.MaxTotalQueueBytes, "1000", "DECNET_BUS_MAX_TOTAL_QUEUE_BYTES='1000' is out of range; use an integer of at least 16777216" },
        { DecnetBusVariables.SendBufferBytes, "big", "DECNET_BUS_SEND_BUFFER_BYTES='big' is not an integer" },
        { DecnetBusVariables.SendBufferBytes, "-1", "DECNET_BUS_SEND_BUFFER_BYTES='-1' is out of range; use an integer from 0 to 67108864" },
    };

    [Theory]
    [MemberData(nameof(InvalidValues))]
    public async Task InvalidVariable_FailsHostStart_NamingVariableAndValue(string variable, string value, string expected)
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(
            () => BusHostFactory.StartAndGetOptionsAsync(new Dictionary<string, string?> { [variable] = value }));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SeveralBadVariables_AreAllReported()
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => BusHostFactory.StartAndGetOptionsAsync(new Dictionary<string, string?>
        {
            [DecnetBusVariables.Enabled] = "maybe",
            [DecnetBusVariables.QueueSize] = "abc",
        }));
        Assert.Contains(DecnetBusVariables.Enabled, ex.Message, StringComparison.Ordinal);
        Assert.Contains(DecnetBusVariables.QueueSize, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Section_Binds_AndVariableOverridesIt()
    {
        var options = await BusHostFactory.StartAndGetOptionsAsync(new Dictionary<string, string?>
        {
            ["DecnetBus:QueueSize"] = "32",
            ["DecnetBus:Echo"] = "false",
            ["DecnetBus:Type"] = "fake",
            [DecnetBusVariables.Type] = "unix",
        });
        Assert.Equal(32, options.QueueSize);
        Assert.False(options.Echo);
        Assert.Equal("unix", options.Type);
    }

    [Fact]
    public async Task BadSectionValue_FailsStart_NamingTheSectionKey()
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(
            () => BusHostFactory.StartAndGetOptionsAsync(new Dictionary<string, string?> { ["DecnetBus:QueueSize"] = "many" }));
        Assert.Contains("'many' at 'DecnetBus:QueueSize' to type 'System.Int32'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProcessEnvironmentSource_IsTheFallback_AndConfigurationRootWins()
    {
        var environment = DecnetBusEnvironment.From(new Dictionary<string, string?>
        {
            [DecnetBusVariables.QueueSize] = "64",
            [DecnetBusVariables.ClientName] = "from-env",
        });
        var options = await BusHostFactory.StartAndGetOptionsAsync(
            new Dictionary<string, string?> { [DecnetBusVariables.ClientName] = "from-config" },
            environment: environment);
        Assert.Equal(64, options.QueueSize);
        Assert.Equal("from-config", options.ClientName);
    }

    [Fact]
    public async Task ConfigureAction_WinsOverVariables()
    {
        var options = await BusHostFactory.StartAndGetOptionsAsync(
            new Dictionary<string, string?> { [DecnetBusVariables.QueueSize] = "64" },
            services => services.AddDecnetBus(o => o.QueueSize = 8));
        Assert.Equal(8, options.QueueSize);
    }

    [Fact]
    public async Task NoVariables_KeepsDefaults()
    {
        var options = await BusHostFactory.StartAndGetOptionsAsync(new Dictionary<string, string?>());
        Assert.True(options.Enabled);
        Assert.Equal(DecnetBusOptions.UnixTransport, options.Type);
        Assert.Equal("decnet", options.Group);
        Assert.Equal(SubscriptionOptions.DefaultQueueSize, options.QueueSize);
        Assert.EndsWith("bus.sock", options.SocketPath, StringComparison.Ordinal);
        Assert.Equal(256L * 1024 * 1024, options.MaxTotalQueueBytes);
        Assert.Equal(options.MaxConnections / 4, options.MaxConnectionsPerUid);
        Assert.Equal(64, options.MaxHandshakingConnections);
    }

    // Pin a valid transport unless the variable under test is the type itself.
    private static string TypeFor(string variable, string value) => variable == DecnetBusVariables.Type ? value : DecnetBusOptions.UnixTransport;

    private static string Render(DecnetBusOptions options, string property)
        => $"{property}={typeof(DecnetBusOptions).GetProperty(property)!.GetValue(options)}";
}
