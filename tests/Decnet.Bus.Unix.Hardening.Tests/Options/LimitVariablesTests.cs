using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Decnet.Bus.Unix.Hardening.Tests.Options;

/// <summary>Every hardening limit is an option bound from its DECNET_BUS_* variable, and a bad value names the variable.</summary>
public sealed class LimitVariablesTests
{
    [Fact]
    public void Defaults_AreTheDocumentedOnes()
    {
        var options = Bind([]);
        Assert.Equal(32, options.MaxPatternTokens);
        Assert.Equal(16 * 1024 * 1024, options.MaxQueueBytes);
        Assert.Equal(TimeSpan.FromSeconds(5), options.HandshakeTimeout);
        Assert.Equal(TimeSpan.FromSeconds(60), options.IdleTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), options.StallTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(100), options.CatchUpWait);
        Assert.Empty(options.AllowUids);
        Assert.Empty(options.AllowGids);
        Assert.Equal(string.Empty, options.AclFile);
    }

    [Fact]
    public void Variables_SetEveryLimit()
    {
        var options = Bind(new()
        {
            [DecnetBusVariables.MaxPatternTokens] = "8",
            [DecnetBusVariables.MaxQueueBytes] = "2097152",
            [DecnetBusVariables.HandshakeTimeoutSeconds] = "2.5",
            [DecnetBusVariables.IdleTimeoutSeconds] = "0",
            [DecnetBusVariables.StallTimeoutSeconds] = "10",
            [DecnetBusVariables.CatchUpWaitMs] = "0",
            [DecnetBusVariables.AllowUids] = "0, 1000",
            [DecnetBusVariables.AllowGids] = "984",
            [DecnetBusVariables.AclFile] = "/etc/decnet/bus-acl",
        });
        Assert.Equal(8, options.MaxPatternTokens);
        Assert.Equal(2 * 1024 * 1024, options.MaxQueueBytes);
        Assert.Equal(TimeSpan.FromSeconds(2.5), options.HandshakeTimeout);
        Assert.Equal(TimeSpan.Zero, options.IdleTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), options.StallTimeout);
        Assert.Equal(TimeSpan.Zero, options.CatchUpWait);
        Assert.Equal([0, 1000], options.AllowUids);
        Assert.Equal([984], options.AllowGids);
        Assert.Equal("/etc/decnet/bus-acl", options.AclFile);
    }

    [Theory]
    [InlineData("DECNET_BUS_ALLOW_UIDS", "root")]
    [InlineData("DECNET_BUS_ALLOW_GIDS", "-1")]
    [InlineData("DECNET_BUS_MAX_PATTERN_TOKENS", "0")]
    [InlineData("DECNET_BUS_MAX_QUEUE_BYTES", "1024")]
    [InlineData("DECNET_BUS_HANDSHAKE_TIMEOUT_S", "0")]
    [InlineData("DECNET_BUS_IDLE_TIMEOUT_S", "soon")]
    [InlineData("DECNET_BUS_STALL_TIMEOUT_S", "-1")]
    [InlineData("DECNET_BUS_CATCH_UP_WAIT_MS", "1001")]
    [InlineData("DECNET_BUS_CATCH_UP_WAIT_MS", "-1")]
    public void BadValue_FailsNamingTheVariable(string variable, string value)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Bind(new() { [variable] = value }));
        Assert.Contains(variable, error.Message, StringComparison.Ordinal);
    }

    private static DecnetBusOptions Bind(Dictionary<string, string?> variables)
    {
        var services = new ServiceCollection();
        services.AddSingleton(DecnetBusEnvironment.From(variables));
        services.AddDecnetBus().AddUnixTransport();
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<DecnetBusOptions>>().Value;
    }
}
