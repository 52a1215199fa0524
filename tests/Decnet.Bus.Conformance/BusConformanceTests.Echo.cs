namespace Decnet.Bus.Conformance;

public abstract partial class BusConformanceTests
{
    [Fact]
    public async Task Echo_OnByDefault_SubscriptionReceivesOwnPublishes()
    {
        var bus = await NewBusAsync();
        await using var subscription = await bus.SubscribeAsync(T("echo.>"));

        await bus.PublishAsync(T("echo.own"), new { n = 1 });

        Assert.Equal(T("echo.own"), (await ReadOneAsync(subscription)).Topic);
    }

    [Fact]
    public async Task Echo_Off_OwnPublishesAreNotDelivered_ButOtherClientsAre()
    {
        var quiet = await NewBusAsync(new ConformanceBusOptions { Echo = false, Name = "quiet" });
        var other = await NewBusAsync(new ConformanceBusOptions { Name = "other" });
        await using var quietSubscription = await quiet.SubscribeAsync(T("echo.>"));
        await using var witness = await other.SubscribeAsync(T("echo.>"));

        await quiet.PublishAsync(T("echo.own"), new { n = 1 });

        // Once the witness has the event, the transport has routed it; anything published after that (causally)
        // reaches the quiet subscription after it would have, so the first arrival proves the absence.
        Assert.Equal(T("echo.own"), (await ReadOneAsync(witness)).Topic);
        await other.PublishAsync(T("echo.other"), new { n = 2 });

        Assert.Equal(T("echo.other"), (await ReadOneAsync(quietSubscription)).Topic);
        Assert.Equal(1, quietSubscription.Received);
    }
}
