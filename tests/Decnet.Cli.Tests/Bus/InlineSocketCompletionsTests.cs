using Decnet.Bus;
using Decnet.Bus.Unix;
using Decnet.Cli.Bus;
using Decnet.Cli.Tests.Support;

namespace Decnet.Cli.Tests.Bus;

/// <summary>
/// <c>decnet bus</c> runs socket completions inline (docs/performance.md, "Inline socket completions") unless the
/// operator's environment says otherwise.
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
    /// The runtime shows the switch took: with inline completions it runs one epoll thread (".NET Sockets") per core
    /// instead of one for up to 30 cores, so the broker's thread list tells whether its sockets were set up inline.
    /// </summary>
    [Theory]
    [InlineData(null)]
    [InlineData("0")]
    public async Task TheBrokerProcess_TookTheSwitch_BeforeItsFirstSocket(string? operatorSetting)
    {
        using var socket = new TempSocket();
        var environment = operatorSetting is null
            ? new Dictionary<string, string>()
            : new Dictionary<string, string> { [InlineSocketCompletions.Variable] = operatorSetting };
        await using var broker = await BrokerProcess.StartAsync(socket.Path, environment);

        // The runtime hands sockets to its epoll threads in turn: the listener plus one client per core uses them all.
        var clients = new List<UnixSocketBus>();
        try
        {
            for (var i = 0; i < Environment.ProcessorCount; i++)
            {
                clients.Add(await UnixSocketBus.ConnectAsync(new DecnetBusOptions { SocketPath = socket.Path, Group = string.Empty }));
            }

            var expected = operatorSetting is null ? Environment.ProcessorCount : 1;
            Assert.Equal(expected, SocketThreads(broker.Pid));
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    private static int SocketThreads(int pid)
        => Directory.GetDirectories($"/proc/{pid}/task")
            .Count(task => File.ReadAllText(Path.Combine(task, "comm")).Trim() == ".NET Sockets");
}
