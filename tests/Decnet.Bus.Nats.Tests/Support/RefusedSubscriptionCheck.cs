namespace Decnet.Bus.Nats.Tests.Support;

/// <summary>
/// What a SUB the server refuses must leave behind (docs/cross-host.md, "Where NATS differs"): an exception with the
/// code, one server error, no subscription kept, none sent again when the client reconnects, and the subscriptions the
/// server accepted still delivering.
/// </summary>
internal static class RefusedSubscriptionCheck
{
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Subscribes to <paramref name="refused"/> on <paramref name="bus"/>, whose only other subscription is
    /// <paramref name="accepted"/> (matching <paramref name="acceptedTopic"/>), and checks all of the above.
    /// </summary>
    public static async Task AssertRefusedAsync(NatsServer server, NatsBus bus, IBusSubscription accepted, string acceptedTopic, string refused, int code, string reason)
    {
        var error = await Assert.ThrowsAsync<BusSubscriptionRejectedException>(async () => await bus.SubscribeAsync(refused));

        Assert.Equal(refused, error.Pattern);
        Assert.Equal(code, error.Code);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.Equal(1, bus.GetStats().Subscriptions);
        Assert.Equal(1, bus.GetStats().ServerErrors);

        // The client re-sends the SUBs it holds when it reconnects: a refused one would be refused again.
        var closed = bus.Closed;
        await server.RestartAsync();
        await closed.WaitAsync(_bound);
        await bus.Opened.WaitAsync(_bound);
        Assert.True(await bus.FlushAsync(_bound));
        Assert.Equal(1, bus.GetStats().ServerErrors);

        await bus.PublishAsync(acceptedTopic, new { n = 1 });
        Assert.Equal(acceptedTopic, (await Read.OneAsync(accepted)).Topic);
    }
}
