using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Broker;

/// <summary>
/// Each wildcard subscription costs its pattern's tokens, charged to the subscriber's uid (docs/reliability.md §2):
/// before, nothing bounded them, and a uid's 256 connections of 1,024 deep patterns made the trie hold ~5 GiB.
/// </summary>
public sealed class WildcardBudgetTests : IAsyncLifetime
{
    private const int _perUid = 8;
    private TestBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await TestBroker.StartAsync(
        o => o.HeartbeatInterval = TimeSpan.Zero,
        limits: static l => l with { MaxWildcardTokensPerUid = _perUid });

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public async Task ASubPastTheUidsBudget_IsRefusedWithCode5_OnAnyOfItsConnections_UntilTokensAreGivenBack()
    {
        await using var first = await RawClient.ConnectAsync(_broker.SocketPath);
        await using var second = await RawClient.ConnectAsync(_broker.SocketPath);
        await SubscribeAsync(first, 1, "a.b.>"); // 3 tokens
        await SubscribeAsync(second, 1, "a.*.c.d"); // 4 more: 7
        await SubscribeAsync(second, 2, "plain.literal.topic"); // literal: free

        await second.SendAsync(b => FrameWriter.WriteSub(b, 3, "x.>"));
        var error = await second.ExpectRequestErrorAsync(BusErrorCode.TooManySubscriptions, FrameKind.Sub, 3);
        Assert.Contains($"would hold 9 pattern tokens; the limit is {_perUid} per uid", error.Message, StringComparison.Ordinal);
        await first.SendAsync(b => FrameWriter.WriteSub(b, 2, "y.*"));
        await first.ExpectRequestErrorAsync(BusErrorCode.TooManySubscriptions, FrameKind.Sub, 2);
        Assert.Equal(2, _broker.Server.Hub!.Rejections()[BusErrorCode.TooManySubscriptions]);

        await first.SendAsync(b => FrameWriter.WriteUnsub(b, 1)); // gives back 3
        await first.PingAsync();
        await SubscribeAsync(second, 3, "x.>");
        await SubscribeAsync(first, 2, "y.*");
        Assert.Equal(8, _broker.Server.Hub!.WildcardTokens);
    }

    [Fact]
    public async Task AConnectionsEnd_GivesBackItsTokens()
    {
        await using var first = await RawClient.ConnectAsync(_broker.SocketPath);
        await using (var second = await RawClient.ConnectAsync(_broker.SocketPath))
        {
            await SubscribeAsync(second, 1, "a.b.c.d.e.>"); // 6 tokens
            await SubscribeAsync(second, 2, "z.*"); // 2 more: the whole budget
        }

        // The broker handles the close on its own thread and signals nothing a client could await: the bound is a
        // failure limit only.
        Assert.True(
            SpinWait.SpinUntil(() => _broker.Server.Hub!.WildcardTokens == 0, TestBroker.Bound),
            $"the closed connection still holds {_broker.Server.Hub!.WildcardTokens} tokens");
        await SubscribeAsync(first, 1, "a.b.c.d.e.f.>"); // 7: fits only once they are given back
    }

    private static async Task SubscribeAsync(RawClient client, uint sid, string pattern)
    {
        await client.SendAsync(b => FrameWriter.WriteSub(b, sid, pattern));
        Assert.Equal(FrameKind.SubAck, (await client.ReadFrameAsync()).Kind);
    }
}
