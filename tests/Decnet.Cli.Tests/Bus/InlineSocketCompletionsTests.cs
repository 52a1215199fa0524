using Decnet.Bus;
using Decnet.Bus.Unix;
using Decnet.Cli.Bus;
using Decnet.Cli.Tests.Support;

namespace Decnet.Cli.Tests.Bus;

/// <summary>
/// <c>decnet bus</c> runs socket completions inline (docs/performance-history.md, part 3, "Inline socket
/// completions") unless the operator's environment says otherwise.
/// </summary>
public sealed class InlineSocketCompletionsTests
{
    [Theory]
    [InlineData(null, "1")]
    [InlineData("", "1")]
    [InlineData("0", "0")]
    [InlineData("1", "1")]
    public void TheSwitchIsSet_OnlyWhenTheEnvironmentLeavesItOpen(string? before, string after)
    {
        var environment = new Dictionary<string, string?> { [InlineSocketCompletions.Variable] = before };
        InlineSocketCompletions.Prefer(name => environment[name], (name, value) => environment[name] = value);
        Assert.Equal(after, environment[InlineSocketCompletions.Variable]);
    }

    /// <summary>
    /// The runtime shows the switch took: with inline completions it runs one epoll thread (".NET Sockets") per core,
    /// without them one per 30 cores or so, so the broker's thread list tells whether it set the switch before its
    /// first socket. Both runs clear the variables the test host might pass on, so only the broker decides.
    /// </summary>
    [Fact]
    public async Task TheBrokerProcess_TookTheSwitch_BeforeItsFirstSocket()
    {
        var inline = await BrokerSocketThreadsAsync(string.Empty);
        var off = await BrokerSocketThreadsAsync("0");

        Assert.Equal(Environment.ProcessorCount, inline);
        if (Environment.ProcessorCount > 1)
        {
            Assert.True(off < inline, $"with the switch off the broker ran {off} epoll threads, with it on {inline}");
        }
    }

    private static async Task<int> BrokerSocketThreadsAsync(string setting)
    {
        using var socket = new TempSocket();
        var environment = new Dictionary<string, string>
        {
            [InlineSocketCompletions.Variable] = setting,
            ["DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT"] = string.Empty,
        };
        await using var broker = await BrokerProcess.StartAsync(socket.Path, environment);

        // A handshaken client proves the broker's sockets are at work (the runtime starts its epoll threads with the first).
        await using var client = await UnixSocketBus.ConnectAsync(new DecnetBusOptions { SocketPath = socket.Path, Group = string.Empty });
        return SocketThreads(broker.Pid);
    }

    private static int SocketThreads(int pid)
        => Directory.GetDirectories($"/proc/{pid}/task")
            .Count(task => File.ReadAllText(Path.Combine(task, "comm")).Trim() == ".NET Sockets");
}
