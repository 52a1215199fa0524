using System.Net.Sockets;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Broker;

public sealed class MalformedClientTests
{
    [Fact]
    public async Task RandomBytesFromManyClients_NeverDisturbTheBrokerOrOtherClients()
    {
        await using var broker = await TestBroker.StartAsync();
        var bystander = broker.CreateClient("bystander");
        var publisher = broker.CreateClient("publisher");
        await using var sub = await bystander.SubscribeAsync("ok.>");
        var random = new Random(4242);

        for (var round = 0; round < 40; round++)
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(broker.SocketPath));
            var prefix = round % 2 == 0 ? Array.Empty<byte>() : FrameBytes.Of(b => FrameWriter.WriteHello(b, new HelloMessage(1, "fuzz", true, 0, 0)));
            var garbage = new byte[random.Next(1, 300)];
            random.NextBytes(garbage);
            await socket.SendAsync((byte[])[.. prefix, .. garbage], SocketFlags.None);
            socket.Shutdown(SocketShutdown.Send);

            // The broker answers (WELCOME/ERR) and closes, or closes at our EOF; either way the read ends.
            var buffer = new byte[4096];
            using var timeout = new CancellationTokenSource(TestBroker.Bound);
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) > 0)
            {
            }

            await publisher.PublishAsync("ok.round", new { round });
            Assert.Equal("ok.round", (await Receive.NextAsync(sub)).Topic);
        }

        Assert.Equal(40, sub.Received);
    }
}
