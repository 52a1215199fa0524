using Decnet.Bus;
using Decnet.Bus.Unix;
using Decnet.Cli.Bus;
using Decnet.Cli.Tests.Support;
using Decnet.Mutator.Events;
using Microsoft.Extensions.Time.Testing;

namespace Decnet.Cli.Tests.Mutation;

/// <summary>
/// The emitter's outcome for a publish the Unix transport paces (docs/Service-Bus.md, "Pacing"): the event is queued
/// before the wait, so cancelling the caller's token must not turn it into "not published" — it is still sent, and a
/// caller that retried on that answer would publish it twice (docs/mutation-events.md, "Failure semantics").
/// </summary>
public sealed class MutationEmitPacingTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Published before the emit while the broker is stopped: far past the client's pacing mark (1 MiB) and its socket
    /// buffer (1 MiB by default; 8 MiB at most where wmem_max allows), and under its outbox bound (16 MiB), so the emit's
    /// publish is held and nothing is dropped.
    /// </summary>
    private const int _fillBytes = 8 * 1024 * 1024;

    private const int _chunkBytes = 4096;
    private static readonly Dictionary<string, byte[]> _chunk = new() { ["blob"] = new byte[_chunkBytes] };

    private readonly TempSocket _socket = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("decnet-cli-").FullName;
    private BrokerProcess? _broker;

    private BrokerProcess Broker => _broker ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync() => _broker = await BrokerProcess.StartAsync(_socket.Path);

    public async Task DisposeAsync()
    {
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Cancelled_while_its_publish_is_paced_the_event_is_still_sent_and_reported_published()
    {
        using var timeout = new CancellationTokenSource(_bound);
        await using var reader = await UnixSocketBus.ConnectAsync(CliBusOptions.Load(_socket.Path, clientName: "mutation-reader"), timeout.Token);
        await using var mutations = await reader.SubscribeAsync("decky.*.mutation", cancellationToken: timeout.Token);
        await using var received = mutations.GetAsyncEnumerator(timeout.Token);

        // A clock that never moves: the pacing wait cannot time out, only the broker reading again ends it.
        await using var bus = new UnixSocketBus(CliBusOptions.Load(_socket.Path, clientName: "paced-mutator"), null, new FakeTimeProvider(DateTimeOffset.UnixEpoch));
        await bus.FlushAsync(timeout.Token);
        var emitter = new MutationEventEmitter(new MutationEventOptions { LogFile = Path.Combine(_dir, "decnet.log") }, bus);
        using var cancel = new CancellationTokenSource();
        var held = new List<Task>();
        Task<MutationEmitResult> emit;

        Broker.Suspend();
        try
        {
            for (var sent = 0; sent < _fillBytes; sent += _chunkBytes)
            {
                var publish = bus.PublishAsync("fill.chunk", _chunk).AsTask();
                if (!publish.IsCompleted)
                {
                    held.Add(publish);
                }
            }

            Assert.NotEmpty(held);
            emit = emitter.EmitAsync("decky-01", ["ssh"], ["http"], MutationTrigger.Operator, "alice", cancel.Token).AsTask();
            Assert.False(emit.IsCompleted, "the emit's publish was not paced");
            await cancel.CancelAsync();
        }
        finally
        {
            Broker.Resume();
        }

        var result = await emit.WaitAsync(timeout.Token);

        Assert.True(result.Written, result.WriteError);
        Assert.True(result.PublishFailure == MutationBusFailure.None, $"PublishFailure={result.PublishFailure}: {result.PublishError}");
        Assert.True(result.Published);
        Assert.True(await received.MoveNextAsync(), "the event never arrived");
        Assert.Equal("decky.decky-01.mutation", received.Current.Topic);
        await Task.WhenAll(held).WaitAsync(timeout.Token);
        Assert.Equal(0, bus.Counters.Dropped);
    }
}
