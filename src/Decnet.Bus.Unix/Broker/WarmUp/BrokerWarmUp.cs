using System.Buffers;
using System.Diagnostics;
using Decnet.Bus.Unix.Broker.Internal;
using Decnet.Bus.Unix.Protocol;
using MessagePack;
using Microsoft.Extensions.Logging;

namespace Decnet.Bus.Unix.Broker.WarmUp;

/// <summary>
/// Publishes a few thousand events through a broker of its own, over socket pairs, when a process's first broker
/// starts: the runtime then compiles the handshake, publish, route and delivery paths before the first client's events
/// instead of while they wait (docs/performance-history-5.md, part 28). Nothing of it is visible: its hub, with the
/// default limits and no ACL whatever the broker's settings, its counters, connections and logger are its own, and the
/// real socket is listening all along.
/// </summary>
internal static class BrokerWarmUp
{
    /// <summary>How long a run may take before it gives up (on a box too loaded for it to matter).</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private const string _topic = "decnet.warm-up";
    private const int _bursts = 4;
    private const int _burst = 512;

    // Far below a burst's bytes: the broker's writes to the subscriber go partial, and its send loop takes the rest.
    private const int _subscriberSendBuffer = 4096;

    /// <summary>The events one run publishes, and receives back when it completes.</summary>
    public const int Events = 1 + (_bursts * _burst);

    /// <summary>The process's gate: its first broker warms up, later ones have nothing left to compile.</summary>
    public static WarmUpGate Process { get; } = new();

    /// <summary>One run against a hub of its own with the default limits; logs the result.</summary>
    /// <returns>Whether the run completed; false when <paramref name="cancellation"/> stopped it.</returns>
    public static Task<bool> RunLoggedAsync(ILogger logger, CancellationToken cancellation) =>
        RunLoggedAsync(new BrokerHub(BrokerLimits.From(new DecnetBusOptions()), TimeProvider.System), logger, cancellation);

    /// <summary>
    /// One run through <paramref name="hub"/>; logs the result and never faults: a failure is one warning.
    /// </summary>
    /// <returns>Whether the run completed or failed; false when <paramref name="cancellation"/> stopped it.</returns>
    public static async Task<bool> RunLoggedAsync(BrokerHub hub, ILogger logger, CancellationToken cancellation)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var delivered = await RunAsync(hub, cancellation).ConfigureAwait(false);
            BrokerLog.WarmedUp(logger, delivered, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return false;
        }
#pragma warning disable CA1031 // A warm-up only saves time: whatever stops it must never stop the broker.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            BrokerLog.WarmUpFailed(logger, ex.Message);
        }

        return true;
    }

    /// <summary>One run through <paramref name="hub"/>: connections of its own, gone when the run returns.</summary>
    /// <returns>The events delivered to the run's own subscriber: <see cref="Events"/>.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> fired.</exception>
    /// <exception cref="TimeoutException">The run outlived <see cref="Bound"/>.</exception>
    /// <exception cref="InvalidOperationException">The hub refused a connection, or answered ERR.</exception>
    public static async Task<int> RunAsync(BrokerHub hub, CancellationToken cancellation)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        bounded.CancelAfter(Bound);
        try
        {
            var subscriber = await WarmUpPeer.ConnectAsync(hub, "warm-up-sub", _subscriberSendBuffer, bounded.Token).ConfigureAwait(false);
            await using (subscriber.ConfigureAwait(false))
            {
                var publisher = await WarmUpPeer.ConnectAsync(hub, "warm-up-pub", null, bounded.Token).ConfigureAwait(false);
                await using (publisher.ConfigureAwait(false))
                {
                    return await DriveAsync(publisher.Client, subscriber.Client, bounded.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw new TimeoutException($"the warm-up took longer than {Bound.TotalSeconds:F0} s");
        }
    }

    /// <summary>
    /// A SUB, one quiet publish (written straight to an idle subscriber), then bursts of PUBs in one write each (routed
    /// per read; written partly inline and partly by the subscriber's send loop), each read back before the next.
    /// </summary>
    private static async Task<int> DriveAsync(WarmUpClient publisher, WarmUpClient subscriber, CancellationToken cancellation)
    {
        await subscriber.SendAsync(static b => FrameWriter.WriteSub(b, 1, _topic), cancellation).ConfigureAwait(false);
        await subscriber.ReadAsync(FrameKind.SubAck, 1, cancellation).ConfigureAwait(false);

        var payload = Payload();
        await publisher.SendAsync(b => WritePubs(b, 1, payload), cancellation).ConfigureAwait(false);
        var delivered = await subscriber.ReadAsync(FrameKind.Evt, 1, cancellation).ConfigureAwait(false);
        for (var i = 0; i < _bursts; i++)
        {
            await publisher.SendAsync(b => WritePubs(b, _burst, payload), cancellation).ConfigureAwait(false);
            delivered += await subscriber.ReadAsync(FrameKind.Evt, _burst, cancellation).ConfigureAwait(false);
        }

        return delivered;
    }

    private static void WritePubs(PooledBufferWriter buffer, int count, byte[] payload)
    {
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        for (var i = 0; i < count; i++)
        {
            FrameWriter.WritePubRaw(buffer, _topic, "warm-up", EventId.NewId(), timestamp, payload);
        }
    }

    /// <summary>A small map, as a worker's payload would be.</summary>
    private static byte[] Payload()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteMapHeader(2);
        writer.Write("seq");
        writer.Write(1);
        writer.Write("note");
        writer.Write("warm-up");
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}
