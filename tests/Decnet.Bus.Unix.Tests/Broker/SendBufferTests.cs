using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Broker;

/// <summary>
/// <c>DECNET_BUS_SEND_BUFFER_BYTES</c>: the broker asks the kernel for it on every connection it accepts and a client
/// on its own, so a busy stream moves in fewer, larger writes (docs/performance.md, part 14); 0 keeps the kernel's
/// default. Linux doubles what is asked, capped at <c>net.core.wmem_max</c>, and reports the doubled size.
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
