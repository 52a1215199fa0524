using System.Reflection;
using Decnet.Bus.Unix.Client.Internal;
using Decnet.Bus.Unix.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>
/// A SubscribeAsync, FlushAsync or GetBrokerStatsAsync that passed its disposed check just before a disposal of a bus
/// that never connected finds no run to start (EnsureStarted refuses once disposing): the disposal ends the connect
/// attempt it would wait for, so it does not wait out its bound. The race's window is a few instructions wide, so the
/// test takes the losing order directly: it disposes first, then makes the calls the public method makes next.
/// </summary>
public sealed class NeverStartedDisposalTests
{
    [Fact]
    public async Task AWaitForTheConnection_PastItsDisposedCheck_WhenTheDisposalWon_EndsAtOnce()
    {
        using var dir = new TempSocketDir();

        // The bound is on a clock that never moves: only an attempt that completes ends the wait.
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var bus = new UnixSocketBus(TestBroker.NewOptions(dir.SocketPath), logger: null, time);
        await bus.DisposeAsync();

        Call(bus, "EnsureStarted");
        var waiting = (Task<ClientConnection?>)Call(bus, "WaitForConnectionAsync", UnixSocketBus.SubscribeWaitBound, CancellationToken.None)!;

        Assert.Null(await waiting.WaitAsync(TestBroker.Bound));
    }

    private static object? Call(UnixSocketBus bus, string method, params object[] arguments)
        => typeof(UnixSocketBus).GetMethod(method, BindingFlags.NonPublic | BindingFlags.Instance)!.Invoke(bus, arguments);
}
