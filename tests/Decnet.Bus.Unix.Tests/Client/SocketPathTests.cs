using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// A socket path no UNIX socket can have, set in code (where no options validator runs), is refused up front with an
/// <see cref="ArgumentException"/> that names the path's problem, not met later by a reconnect loop that dies on it.
/// </summary>
public sealed class SocketPathTests
{
    public static TheoryData<string> UnusablePaths => ["", "/tmp/" + new string('s', 200), "/tmp/bus\0.sock"];

    [Theory]
    [MemberData(nameof(UnusablePaths))]
    public void Constructor_UnusableSocketPath_ThrowsArgumentException(string path)
    {
        var error = Assert.Throws<ArgumentException>(() => new UnixSocketBus(TestBroker.NewOptions(path)));

        Assert.Contains(DecnetBusVariables.Socket, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(UnusablePaths))]
    public async Task ConnectAsync_UnusableSocketPath_ThrowsArgumentException(string path)
        => await Assert.ThrowsAsync<ArgumentException>(() => UnixSocketBus.ConnectAsync(TestBroker.NewOptions(path)).WaitAsync(TestBroker.Bound));
}
