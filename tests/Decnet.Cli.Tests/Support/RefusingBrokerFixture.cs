using System.Runtime.InteropServices;

namespace Decnet.Cli.Tests.Support;

/// <summary>
/// One <c>decnet bus</c> child process shared by a test class, whose ACL (DECNET_BUS_ACL_FILE) lets only a uid other
/// than this test's publish on <see cref="RefusedPattern"/> and <c>decky.*.mutation</c>: the broker answers ERR 12 and
/// drops such an event. Every other topic stays open.
/// </summary>
public sealed partial class RefusingBrokerFixture : IAsyncLifetime
{
    /// <summary>A pattern this test's uid may not publish on (besides <c>decky.*.mutation</c>).</summary>
    public const string RefusedPattern = "secret.>";

    private readonly TempSocket _socket = new();
    private readonly string _acl = Path.GetTempFileName();
    private BrokerProcess? _broker;

    public string SocketPath => _socket.Path;

    public async Task InitializeAsync()
    {
        var other = GetEuid() + 1;
        await File.WriteAllTextAsync(_acl, $"publish {RefusedPattern} uid:{other}\npublish decky.*.mutation uid:{other}\n");
        _broker = await BrokerProcess.StartAsync(_socket.Path, new Dictionary<string, string> { ["DECNET_BUS_ACL_FILE"] = _acl });
    }

    public async Task DisposeAsync()
    {
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }

        _socket.Dispose();
        File.Delete(_acl);
    }

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEuid();
}
