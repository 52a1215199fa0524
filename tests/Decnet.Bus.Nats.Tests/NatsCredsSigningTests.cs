using Decnet.Bus.Nats.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Decnet.Bus.Nats.Tests;

/// <summary>
/// DECNET_BUS_NATS_CREDS against a real nats-server in operator mode: the contents read at each connect sign the
/// server's nonce with the file's seed and present its JWT, so a renewed file (another user) is used at the next
/// reconnect, and a seed that is not the JWT's is refused.
/// </summary>
[RequiresNatsServer]
public sealed class NatsCredsSigningTests : IDisposable
{
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(30);
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("decnet-nats-creds-");

    [Fact]
    public async Task ACredsFile_SignsEachConnect_ARenewedUserIsUsedAtTheReconnect_AndAWrongSeedIsRefused()
    {
        using var authority = new NatsOperator();
        var (first, firstUser) = authority.User("first", "a.>");
        using var firstKeys = firstUser;
        var (renewed, renewedUser) = authority.User("renewed", "b.>");
        using var renewedKeys = renewedUser;
        var (wrongSeed, wrongUser) = authority.User("renewed", "b.>", seedOf: firstUser);
        using var wrongKeys = wrongUser;
        var creds = Path.Combine(_directory.FullName, "user.creds");
        File.WriteAllText(creds, first);
        await using var server = await NatsServer.StartAsync(authority.ServerConfig());
        var log = new RecordingLogger<NatsBus>();
        using var logging = LoggerFactory.Create(b => b.AddProvider(new RecordingLoggerProvider<NatsBus>(log)).AddFilter("NATS", LogLevel.None));
        var options = NatsTestOptions.For(server, "creds");
        options.Nats.CredentialsFile = creds;
        await using var bus = new NatsBus(options, logging);

        Assert.True(await bus.WaitForConnectionAsync(_bound), server.Log);
        await using (var firstSubscription = await bus.SubscribeAsync("a.>"))
        {
            await bus.PublishAsync("a.one", new { n = 1 });
            Assert.Equal("a.one", (await Read.OneAsync(firstSubscription)).Topic);
        }

        // Renewed as another user, allowed b.> only: a round trip on b.> proves the reconnect signed as that user.
        RenewedFile.Replace(creds, renewed);
        await RestartAsync(bus, server);
        await bus.Opened.WaitAsync(_bound);
        await using var renewedSubscription = await bus.SubscribeAsync("b.>");
        await bus.PublishAsync("b.two", new { n = 2 });
        Assert.Equal("b.two", (await Read.OneAsync(renewedSubscription)).Topic);

        // The renewed user's JWT with the first user's seed: the server's signature check refuses the reconnect.
        RenewedFile.Replace(creds, wrongSeed);
        await RestartAsync(bus, server);
        using var timeout = new CancellationTokenSource(_bound);
        var line = await log.NextLineAsync("Authorization Violation", timeout.Token);
        Assert.False(bus.IsConnected, line);
        var opened = bus.Opened;
        RenewedFile.Replace(creds, renewed);
        await opened.WaitAsync(_bound);
    }

    public void Dispose() => _directory.Delete(recursive: true);

    private static async Task RestartAsync(NatsBus bus, NatsServer server)
    {
        var closed = bus.Closed;
        await server.RestartAsync();
        await closed.WaitAsync(_bound);
    }
}
