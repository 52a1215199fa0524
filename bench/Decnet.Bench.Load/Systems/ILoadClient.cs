using Decnet.Bench.Load.Roles;

namespace Decnet.Bench.Load.Systems;

/// <summary>One client connection of one system under test, reduced to what the workloads need.</summary>
internal interface ILoadClient : IAsyncDisposable
{
    /// <summary>Client-side drops (a Decnet subscription's drop-oldest queue); 0 where the client has none.</summary>
    long Dropped { get; }

    /// <summary>True when published events sit in a client-side buffer until <see cref="FlushAsync"/> (paced runs flush each one).</summary>
    bool BuffersWrites { get; }

    /// <summary>Subscribes to every pattern; all are live when the task completes.</summary>
    Task SubscribeAsync(IReadOnlyList<string> patterns, IEventSink sink, int client);

    /// <summary>Publishes one 128-byte-class benchmark event carrying <paramref name="sentAt"/>.</summary>
    ValueTask PublishAsync(string topic, long sentAt);

    /// <summary>Publishes the end marker (subscribers stop on it).</summary>
    ValueTask PublishEndAsync(string topic);

    /// <summary>Pushes out anything buffered (paced publishers call it after each event).</summary>
    ValueTask FlushAsync();
}
