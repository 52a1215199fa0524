namespace Decnet.Cli.Tests.Support;

/// <summary>One <c>decnet bus</c> child process shared by a test class.</summary>
public sealed class BrokerFixture : IAsyncLifetime
{
    private readonly TempSocket _socket = new();
    private BrokerProcess? _broker;

    public string SocketPath => _socket.Path;

    internal BrokerProcess Broker => _broker ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync() => _broker = await BrokerProcess.StartAsync(_socket.Path);

    public async Task DisposeAsync()
    {
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }

        _socket.Dispose();
    }
}
