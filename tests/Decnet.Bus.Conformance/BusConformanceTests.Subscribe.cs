namespace Decnet.Bus.Conformance;

public abstract partial class BusConformanceTests
{
    [Fact]
    public async Task Subscribe_IsLiveOnReturn_PublishRightAfterFromAnotherClientIsReceived_1000Times()
    {
        var publisher = await NewBusAsync();
        var subscriber = await NewBusAsync();

        for (var i = 0; i < 1000; i++)
        {
            var topic = T($"live.{i}");
            await using var subscription = await subscriber.SubscribeAsync(topic);
            await publisher.PublishAsync(topic, new SequencePayload { Seq = i });

            var evt = await ReadOneAsync(subscription);
            Assert.Equal(i, evt.ReadPayload<SequencePayload>().Seq);
        }
    }
}
