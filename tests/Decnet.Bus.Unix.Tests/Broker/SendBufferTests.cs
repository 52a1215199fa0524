using Decnet.Bus.Unix.Tests.Support;
using Decnet.Testing;
using Microsoft.Extensions.Logging;

namespace Decnet.Bus.Unix.Tests.Broker;

/// <summary>
/// <c>DECNET_BUS_SEND_BUFFER_BYTES</c>: the broker asks the kernel for it on every connection it accepts and a client
/// on its own, so a busy stream moves in fewer, larger writes (docs/performance-history-3.md, part 14); 0 keeps the kernel's
/// default. Linux caps what is asked at <c>net.core.wmem_max</c>, doubles it, and reports the doubled size.
/// </summary>
public sealed class SendBufferTests
{
    [Fact]
    public async Task ByDefault_BothEndsAskForTheDefault()
    {
        Assert.Equal(512 * 1024, new DecnetBusOptions().SendBufferBytes);

        var (broker, client) = await SendBuffersAsync(configure: null);

        Assert.Equal(Granted(DecnetBusOptions.DefaultSendBufferBytes), broker);
        Assert.Equal(Granted(DecnetBusOptions.DefaultSendBufferBytes), client);
    }

    [Fact]
    public async Task AConfiguredSize_IsWhatBothEndsAskFor()
    {
        var (broker, client) = await SendBuffersAsync(o => o.SendBufferBytes = 300_000);

        Assert.Equal(Granted(300_000), broker);
        Assert.Equal(Granted(300_000), client);
    }

    [Fact]
    public async Task Zero_KeepsTheKernelDefault()
    {
        var (broker, client) = await SendBuffersAsync(o => o.SendBufferBytes = 0);

        var kernelDefault = Sysctl("wmem_default");
        Assert.Equal(kernelDefault, broker);
        Assert.Equal(kernelDefault, client);
    }

    [Fact]
    public async Task ASizeAboveTheKernelsCap_IsGrantedTheCap_AndTheBrokerSaysSoOnceAtStart()
    {
        var cap = Sysctl("wmem_max");
        var logger = new ListLogger<BusServer>();
        await using var broker = await TestBroker.StartAsync(o => o.SendBufferBytes = cap + 1, logger: logger);

        var line = Assert.Single(logger.Entries, e => e.Message.Contains("DECNET_BUS_SEND_BUFFER_BYTES", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Equal(
            $"DECNET_BUS_SEND_BUFFER_BYTES={cap + 1} is above net.core.wmem_max={cap}: each connection gets a {2L * cap}-byte send buffer. Raise net.core.wmem_max (sysctl) for the full size, or set the variable to 0 to keep the kernel's default quietly",
            line.Message);
        await using var client = await UnixSocketBus.ConnectAsync(TestBroker.NewOptions(broker.SocketPath));
        Assert.Equal(2 * cap, Assert.Single(broker.Server.Hub!.Connections).KernelSendBuffer);
    }

    [Fact]
    public async Task ASizeWithinTheKernelsCap_IsNotLogged()
    {
        var logger = new ListLogger<BusServer>();
        await using var broker = await TestBroker.StartAsync(o => o.SendBufferBytes = Math.Min(Sysctl("wmem_max"), 300_000), logger: logger);

        Assert.DoesNotContain(logger.Entries, e => e.Message.Contains("DECNET_BUS_SEND_BUFFER_BYTES", StringComparison.Ordinal));
    }

    /// <summary>The broker's side and the client's side of one connection, each end configured by <paramref name="configure"/>.</summary>
    private static async Task<(int Broker, int Client)> SendBuffersAsync(Action<DecnetBusOptions>? configure)
    {
        await using var broker = await TestBroker.StartAsync(configure);
        var options = TestBroker.NewOptions(broker.SocketPath);
        configure?.Invoke(options);
        await using var client = await UnixSocketBus.ConnectAsync(options);

        // Registered at accept, before the handshake that ConnectAsync awaited.
        var brokerSide = Assert.Single(broker.Server.Hub!.Connections).KernelSendBuffer;
        var clientSide = client.KernelSendBuffer;
        Assert.NotNull(clientSide);
        return (brokerSide, clientSide.Value);
    }

    /// <summary>What Linux grants for a request of <paramref name="bytes"/>: twice it, capped at twice wmem_max.</summary>
    private static int Granted(int bytes) => 2 * Math.Min(bytes, Sysctl("wmem_max"));

    private static int Sysctl(string name)
        => int.Parse(File.ReadAllText($"/proc/sys/net/core/{name}").Trim(), System.Globalization.CultureInfo.InvariantCulture);
}
