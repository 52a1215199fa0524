using Decnet.Bus;
using Decnet.Cli.Bus;

namespace Decnet.Cli.Mutation;

/// <summary>
/// An <see cref="IBus"/> that connects on the first publish, so <c>mutation emit</c> appends the durable line before
/// it contacts the broker: a hung broker (or Ctrl-C while connecting) then costs the bus event, never the line.
/// </summary>
/// <param name="connect">Connects to the broker.</param>
/// <param name="connectCancellation">
/// Cancels the connect (Ctrl-C): the emitter passes no token into the publish, whose own wait the transport bounds.
/// </param>
internal sealed class ConnectOnPublishBus(Func<CancellationToken, ValueTask<IBus>> connect, CancellationToken connectCancellation) : IBus, IBusConnectionStatus
{
    private const string _transportPrefix = "bus: ";

    private IBus? _bus;

    /// <summary>Why connecting failed ("cannot connect to the bus: …", "publish canceled while…"), or null.</summary>
    public string? ConnectError { get; private set; }

    /// <summary>The connected bus, once a publish has connected it.</summary>
    public IBus? Connected => _bus;

    /// <summary>What proves the publish reached the broker: noted right before it, once connected.</summary>
    public PublishConfirmation? Confirmation { get; private set; }

    /// <inheritdoc />
    public BusCounters Counters => _bus?.Counters ?? new BusCounters(0, 0, 0);

    /// <inheritdoc />
    /// <remarks>The connected transport's state, so the emitter sees a drop for what it is; idle before.</remarks>
    BusConnectionState IBusConnectionStatus.State => _bus is IBusConnectionStatus status ? status.State : BusConnectionState.Idle;

    /// <inheritdoc />
    public async ValueTask PublishAsync<TPayload>(string topic, TPayload payload, string? type = null, CancellationToken cancellationToken = default)
    {
        _bus ??= await ConnectAsync().ConfigureAwait(false);
        Confirmation ??= PublishConfirmation.Before(_bus);
        await _bus.PublishAsync(topic, payload, type, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<IBusSubscription> SubscribeAsync(string pattern, SubscriptionOptions? options = null, CancellationToken cancellationToken = default)
        => throw new NotSupportedException("mutation emit only publishes.");

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _bus?.DisposeAsync() ?? ValueTask.CompletedTask;

    private async ValueTask<IBus> ConnectAsync()
    {
        try
        {
            return await connect(connectCancellation).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (connectCancellation.IsCancellationRequested)
        {
            ConnectError = "publish canceled while connecting to the bus (the line is written)";
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The transport's messages start with "bus: "; the printed line already says it once.
            var reason = ex.Message.StartsWith(_transportPrefix, StringComparison.Ordinal) ? ex.Message[_transportPrefix.Length..] : ex.Message;
            ConnectError = $"cannot connect to the bus: {reason}";
            throw;
        }
    }
}
