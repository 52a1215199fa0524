using System.Collections;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Decnet.Bus.Abstractions.Tests.Options;

/// <summary>
/// The <c>DecnetBus</c> section uses the property names as keys (docs/Service-Bus.md, "Options"), so the framework's
/// plain <c>Bind</c> and <c>AddDecnetBus()</c> read the same file. Every setting is covered: a property added without
/// a row here fails <see cref="EverySetting_HasANonDefaultValueInTheSection"/>.
/// </summary>
public sealed class SectionBindingTests
{
    private static readonly Dictionary<string, string?> _everySetting = new()
    {
        ["DecnetBus:Enabled"] = "false",
        ["DecnetBus:Type"] = "fake",
        ["DecnetBus:SocketPath"] = "/tmp/decnet-section/bus.sock",
        ["DecnetBus:Group"] = "wheel",
        ["DecnetBus:QueueSize"] = "17",
        ["DecnetBus:Echo"] = "false",
        ["DecnetBus:HeartbeatInterval"] = "00:00:07",
        ["DecnetBus:KeepaliveInterval"] = "00:00:11",
        ["DecnetBus:ClientName"] = "bound-from-section",
        ["DecnetBus:ReconnectMinDelay"] = "00:00:00.030",
        ["DecnetBus:ReconnectMaxDelay"] = "00:00:00.900",
        ["DecnetBus:MaxFrameBytes"] = "65536",
        ["DecnetBus:MaxTopicBytes"] = "100",
        ["DecnetBus:MaxSubscriptionsPerConnection"] = "9",
        ["DecnetBus:MaxConnections"] = "13",
        ["DecnetBus:MaxConnectionsPerUid"] = "5",
        ["DecnetBus:MaxHandshakingConnections"] = "6",
        ["DecnetBus:MaxTotalQueueBytes"] = "1048576",
        ["DecnetBus:SendBufferBytes"] = "262144",
        ["DecnetBus:MaxPatternTokens"] = "8",
        ["DecnetBus:MaxQueueBytes"] = "131072",
        ["DecnetBus:HandshakeTimeout"] = "00:00:03",
        ["DecnetBus:IdleTimeout"] = "00:02:00",
        ["DecnetBus:StallTimeout"] = "00:00:40",
        ["DecnetBus:CatchUpWait"] = "00:00:00.075",
        ["DecnetBus:AllowUids:0"] = "1000",
        ["DecnetBus:AllowUids:1"] = "1002",
        ["DecnetBus:AllowGids:0"] = "1001",
        ["DecnetBus:AclFile"] = "/etc/decnet/bus-acl",
        ["DecnetBus:BrokerUid"] = "998",
        ["DecnetBus:Nats:Url"] = "nats://10.0.0.1:4222",
        ["DecnetBus:Nats:CredentialsFile"] = "/etc/decnet/nats.creds",
        ["DecnetBus:Nats:User"] = "decnet",
        ["DecnetBus:Nats:Password"] = "secret",
        ["DecnetBus:Nats:Token"] = "token",
        ["DecnetBus:Nats:TlsCaFile"] = "/etc/decnet/ca.pem",
        ["DecnetBus:Nats:TlsCertFile"] = "/etc/decnet/cert.pem",
        ["DecnetBus:Nats:TlsKeyFile"] = "/etc/decnet/key.pem",
    };

    [Fact]
    public void EverySetting_HasANonDefaultValueInTheSection()
    {
        var keys = Settings(new DecnetBusOptions()).Keys.Select(k => $"{DecnetBusOptions.SectionName}:{k}").Order(StringComparer.Ordinal);
        var covered = _everySetting.Keys.Select(k => char.IsDigit(k[^1]) ? k[..k.LastIndexOf(':')] : k).Distinct().Order(StringComparer.Ordinal);

        Assert.Equal(keys, covered);
    }

    [Fact]
    public void PlainBind_SeesEveryProperty()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(_everySetting).Build();
        var options = new DecnetBusOptions();

        configuration.GetSection(DecnetBusOptions.SectionName).Bind(options, o => o.ErrorOnUnknownConfiguration = true);

        AssertEverySettingChanged(options);
    }

    [Fact]
    public void AddDecnetBus_WithTheSection_SeesEveryProperty()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(_everySetting).Build());
        services.AddSingleton(DecnetBusEnvironment.None);
        services.AddDecnetBus();
        using var provider = services.BuildServiceProvider();
        var options = new DecnetBusOptions();

        // The configure steps alone: the values here are deliberately contradictory (three NATS logins), which start-time
        // validation would reject; AddDecnetBus_WithTheSection_StartsAndBinds covers the validated path.
        foreach (var configure in provider.GetServices<IConfigureOptions<DecnetBusOptions>>())
        {
            configure.Configure(options);
        }

        Assert.Empty(options.BindingErrors);
        AssertEverySettingChanged(options);
    }

    [Fact]
    public async Task AddDecnetBus_WithTheSection_StartsAndBinds()
    {
        var options = await BusHostFactory.StartAndGetOptionsAsync(new Dictionary<string, string?>
        {
            ["DecnetBus:HeartbeatInterval"] = "00:00:09",
            ["DecnetBus:MaxSubscriptionsPerConnection"] = "3",
            ["DecnetBus:AllowUids:0"] = "0",
            ["DecnetBus:Nats:Url"] = "nats://10.0.0.2:4222",
        });

        Assert.Equal(TimeSpan.FromSeconds(9), options.HeartbeatInterval);
        Assert.Equal(3, options.MaxSubscriptionsPerConnection);
        Assert.Equal([0], options.AllowUids);
        Assert.Equal("nats://10.0.0.2:4222", options.Nats.Url);
    }

    [Theory]
    [InlineData("HeartbeatSeconds")]
    [InlineData("MaxSubscriptions")]
    public async Task OldSectionKey_FailsStart_NamingTheKey(string key)
    {
        // Silently ignoring a renamed key would run the broker with a default the operator meant to change.
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(
            () => BusHostFactory.StartAndGetOptionsAsync(new Dictionary<string, string?> { [$"DecnetBus:{key}"] = "3" }));

        Assert.Contains($"'{key}'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VariableList_ReplacesTheSectionList()
    {
        var options = await BusHostFactory.StartAndGetOptionsAsync(new Dictionary<string, string?>
        {
            ["DecnetBus:AllowUids:0"] = "1000",
            [DecnetBusVariables.AllowUids] = "0, 7",
        });

        Assert.Equal([0, 7], options.AllowUids);
    }

    [Fact]
    public async Task Group_LeftOut_StaysUnconfigured()
    {
        var options = await BusHostFactory.StartAndGetOptionsAsync(new Dictionary<string, string?> { ["DecnetBus:QueueSize"] = "5" });

        Assert.False(options.GroupConfigured);
    }

    [Fact]
    public async Task Group_LeftOut_StaysUnconfigured_AfterTheHostsOwnPlainBind()
    {
        // The reflection binder writes "decnet" back through the setter; a required group would then stop a broker
        // on a host without the group, which the default must not (docs/operations.md).
        var options = await BusHostFactory.StartAndGetOptionsAsync(
            new Dictionary<string, string?> { ["DecnetBus:QueueSize"] = "5" },
            services => services.AddOptions<DecnetBusOptions>()
                .Configure<IConfiguration>((o, c) => c.GetSection(DecnetBusOptions.SectionName).Bind(o)));

        Assert.False(options.GroupConfigured);
    }

    [Theory]
    [InlineData("DecnetBus:Group")]
    [InlineData(DecnetBusVariables.Group)]
    public async Task Group_SetToTheDefaultName_IsConfigured(string key)
    {
        var options = await BusHostFactory.StartAndGetOptionsAsync(new Dictionary<string, string?> { [key] = "decnet" });

        Assert.True(options.GroupConfigured);
    }

    [Fact]
    public async Task EmptyBrokerUidVariable_ClearsTheSectionValue()
    {
        var options = await BusHostFactory.StartAndGetOptionsAsync(new Dictionary<string, string?>
        {
            ["DecnetBus:BrokerUid"] = "998",
            [DecnetBusVariables.BrokerUid] = string.Empty,
        });

        Assert.Null(options.BrokerUid);
    }

    private static void AssertEverySettingChanged(DecnetBusOptions options)
    {
        var defaults = Settings(new DecnetBusOptions());
        var bound = Settings(options);
        var unchanged = defaults.Where(d => d.Value == bound[d.Key]).Select(d => d.Key).ToList();

        Assert.Empty(unchanged);
        Assert.True(options.GroupConfigured);
    }

    /// <summary>Every public setting, rendered: settable properties, the id lists, and the nested NATS settings.</summary>
    private static Dictionary<string, string> Settings(object options, string prefix = "")
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in options.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var value = property.GetValue(options);
            if (value is DecnetBusNatsOptions nested)
            {
                foreach (var (key, text) in Settings(nested, $"{prefix}{property.Name}:"))
                {
                    result[key] = text;
                }
            }
            else if (property.PropertyType == typeof(IList<int>) && value is IList list)
            {
                result[prefix + property.Name] = string.Join(",", list.Cast<object>());
            }
            else if (property.SetMethod?.IsPublic == true)
            {
                result[prefix + property.Name] = Convert.ToString(value, CultureInfo.InvariantCulture) ?? "(null)";
            }
        }

        return result;
    }
}
