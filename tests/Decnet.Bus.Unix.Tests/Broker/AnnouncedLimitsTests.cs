using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Broker;

/// <summary>
/// A broker built in code skips the options validator, but what it announces in WELCOME must still be what a client
/// accepts (docs/wire-protocol.md §4.1): a client refuses a max_frame over 64 MiB, so a broker announcing one could
/// serve nobody.
/// </summary>
public sealed class AnnouncedLimitsTests
{
    private const int _maxFrameLimit = 64 * 1024 * 1024;

    [Fact]
    public async Task AFrameLimitOverTheMaximum_SetInCode_IsHeldToTheMaximum_AndClientsConnect()
    {
        await using var broker = await TestBroker.StartAsync(o => o.MaxFrameBytes = 2 * _maxFrameLimit);
        await using var client = broker.CreateClient("client");

        await client.PublishAsync("limits.start", new { });
        await client.WaitForGenerationAsync(1, CancellationToken.None).WaitAsync(TestBroker.Bound);

        Assert.True(client.IsConnected);
    }
}
