using System.Globalization;
using System.Net.Sockets;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// A client's socket is never handed to the runtime's socket event engine (its epoll instance): the connection's reads
/// and writes wait in the kernel on threads of their own, and a socket the engine watched would wake the engine's
/// thread, and through it a thread-pool worker, each time bytes arrive (docs/performance-history-4.md, part 23). Read
/// from the kernel's own list of what each epoll instance in this process watches (<c>/proc/self/fdinfo</c>).
/// </summary>
public sealed class SocketEventEngineTests
{
    [Fact]
    public async Task AConnectedClientsSocket_IsWatchedByNoEpollInstance()
    {
        await using var broker = await TestBroker.StartAsync();
        await using var client = await UnixSocketBus.ConnectAsync(TestBroker.NewOptions(broker.SocketPath));
        await client.PublishAsync("engine.check", new { n = 1 });
        await client.FlushAsync().WaitAsync(TestBroker.Bound);

        var descriptor = client.SocketDescriptor;

        Assert.NotNull(descriptor);
        Assert.Empty(EpollInstancesWatching(descriptor.Value));
    }

    [Fact]
    public async Task TheCheck_SeesASocketThatAnAsynchronousReceiveRegistered()
    {
        using var pair = await SocketPair.ConnectAsync();
        var descriptor = (int)pair.Local.SafeHandle.DangerousGetHandle();
        Assert.Empty(EpollInstancesWatching(descriptor));

        var pending = pair.Local.ReceiveAsync(new byte[1], SocketFlags.None);
        await pair.Peer.SendAsync(new byte[] { 1 });
        Assert.Equal(1, await pending.WaitAsync(TestBroker.Bound));

        Assert.NotEmpty(EpollInstancesWatching(descriptor));
    }

    /// <summary>
    /// The descriptors of this process's epoll instances that watch <paramref name="descriptor"/>: an entry names the
    /// watched descriptor and its file's inode (hex), both matched, so a reused descriptor number is not mistaken for it.
    /// </summary>
    private static List<int> EpollInstancesWatching(int descriptor)
    {
        var socketLink = new FileInfo($"/proc/self/fd/{descriptor}").LinkTarget;
        Assert.NotNull(socketLink);
        Assert.StartsWith("socket:[", socketLink, StringComparison.Ordinal);
        var inode = long.Parse(socketLink["socket:[".Length..^1], CultureInfo.InvariantCulture);
        var watching = new List<int>();
        foreach (var entry in Directory.EnumerateFiles("/proc/self/fd"))
        {
            var name = Path.GetFileName(entry);
            string? target;
            try
            {
                target = new FileInfo(entry).LinkTarget;
            }
            catch (IOException)
            {
                continue; // closed meanwhile
            }

            if (target != "anon_inode:[eventpoll]")
            {
                continue;
            }

            string info;
            try
            {
                info = File.ReadAllText($"/proc/self/fdinfo/{name}");
            }
            catch (IOException)
            {
                continue;
            }

            // One line per watched descriptor: "tfd:        5 events:       19 data: ...  pos:0 ino:3039 sdev:8".
            foreach (var line in info.Split('\n'))
            {
                var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 1 && fields[0] == "tfd:" && int.Parse(fields[1], CultureInfo.InvariantCulture) == descriptor
                    && Array.Find(fields, f => f.StartsWith("ino:", StringComparison.Ordinal)) is { } ino
                    && long.Parse(ino["ino:".Length..], NumberStyles.HexNumber, CultureInfo.InvariantCulture) == inode)
                {
                    watching.Add(int.Parse(name, CultureInfo.InvariantCulture));
                }
            }
        }

        return watching;
    }
}
