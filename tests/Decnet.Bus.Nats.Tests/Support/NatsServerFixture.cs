namespace Decnet.Bus.Nats.Tests.Support;

/// <summary>One nats-server shared by every test of a class (each test works under its own topic root).</summary>
public sealed class NatsServerFixture : IAsyncLifetime
{
    private NatsServer? _server;

    internal NatsServer Server => _server ?? throw new InvalidOperationException("the fixture is not started");

    public async Task InitializeAsync()
    {
        // Skipped classes never get here (PeerTestFramework); an installed-but-broken server fails loudly.
        _server = await NatsServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
