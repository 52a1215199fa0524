using Decnet.Bus;

namespace Decnet.Cli.Mutation;

/// <summary>
/// An <see cref="IBus"/> that connects on the first publish, so <c>mutation emit</c> appends the durable line before
/// it contacts the broker: a hung broker (or Ctrl-C while connecting) then costs the bus event, never the line.
/// </summary>
internal sealed class ConnectOnPublishBus(Func<CancellationToken, ValueTask<IBus>> connect) : IBus
{
    private const string _transportPrefix = "bus: ";

    private IBus? _bus;

    /// <summary>Why connecting failed ("cannot connect to the bus: …"), or null.</summary>
    public string? ConnectError { get; private set; }

    /// <inheritdoc />
    public BusCounters Counters => _bus?.Counters ?? new BusCounters(0, 0, 0);

    /// <inheritdoc />
    public async ValueTask PublishAsync<TPayload>(string topic, TPayload payload, string? type = null, CancellationToken cancellationToken = default)
    {
        _bus ??= await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await _bus.PublishAsync(topic, payload, type, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<IBusSubscription> SubscribeAsync(string pattern, SubscriptionOptions? options = null, CancellationToken cancellationToken = default)
        => throw new NotSupportedException("mutation emit only publishes.");

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _bus?.DisposeAsync() ?? ValueTask.CompletedTask;

    private async ValueTask<IBus> ConnectAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await connect(cancellationToken).ConfigureAwait(false);
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
