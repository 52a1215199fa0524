using System.Buffers;
using System.Diagnostics;
using Decnet.Bus.Unix.Broker.Internal;
using Decnet.Bus.Unix.Native;
using Decnet.Bus.Unix.Protocol;
using MessagePack;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Decnet.Bus.Unix.Broker.WarmUp;

/// <summary>
/// Publishes a few thousand events through a broker of its own, over a socket pair, when a process's first broker
/// starts: the runtime then compiles the handshake, publish, route and delivery paths before the first client's events
/// instead of while they wait (docs/performance.md, part 28). Nothing of it is visible: its hub, counters, connection
/// and logger are its own, and the real socket is listening all along.
/// </summary>
internal static class BrokerWarmUp
{
    /// <summary>How long a run may take before it gives up (on a box too loaded for it to matter).</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private const string _topic = "decnet.warm-up";
    private const int _bursts = 4;
    private const int _burst = 512;

    /// <summary>The events one run publishes, and receives back when it completes.</summary>
    public const int Events = 1 + (_bursts * _burst);

    /// <summary>The process's gate: its first broker warms up, later ones have nothing left to compile.</summary>
    public static WarmUpGate Process { get; } = new();

    /// <summary>One run against a hub of its own built from <paramref name="limits"/>, its ACL left out; logs the result.</summary>
    /// <returns>A task that never faults: a failure is one warning line.</returns>
    public static async Task RunLoggedAsync(BrokerLimits limits, ILogger logger, CancellationToken cancellation)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var hub = new BrokerHub(limits with { Acl = null }, TimeProvider.System);
            var delivered = await RunAsync(hub, cancellation).ConfigureAwait(false);
            BrokerLog.WarmedUp(logger, delivered, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // A warm-up only saves time: whatever stops it must never stop the broker.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            BrokerLog.WarmUpFailed(logger, ex.Message);
        }
    }

    /// <summary>One run through <paramref name="hub"/>: a connection of its own, gone when the run returns.</summary>
    /// <returns>The events delivered back to the run's own subscriber: <see cref="Events"/>.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> fired.</exception>
    /// <exception cref="TimeoutException">The run outlived <see cref="Bound"/>.</exception>
    /// <exception cref="InvalidOperationException">The hub refused the connection, or answered ERR.</exception>
    public static async Task<int> RunAsync(BrokerHub hub, CancellationToken cancellation)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        bounded.CancelAfter(Bound);
        var (brokerEnd, clientEnd) = ConnectedPair.Create();
        var credentials = PeerCredentialsReader.TryRead(brokerEnd) ?? new PeerCredentials(0, -1, -1);
        var connection = new BrokerConnection(hub.NextConnectionId(), brokerEnd, credentials, hub, NullLogger.Instance, TimeProvider.System);
        if (hub.TryRegister(connection) is { } refusal)
        {
            brokerEnd.Dispose();
            clientEnd.Dispose();
            throw new InvalidOperationException(refusal);
        }

        var run = connection.RunAsync(BusServer.ShutdownFlushBound);
        var client = new WarmUpClient(clientEnd, hub.Limits.MaxFrameBytes);
        try
        {
            return await DriveAsync(client, bounded.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw new TimeoutException($"the warm-up took longer than {Bound.TotalSeconds:F0} s");
        }
        finally
        {
            client.Dispose();
            await run.WaitAsync(Bound, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A client's handshake and SUB, one quiet publish (written straight to an idle subscriber), then bursts of PUBs in
    /// one write each (routed and written per read), each awaited back before the next.
    /// </summary>
    private static async Task<int> DriveAsync(WarmUpClient client, CancellationToken cancellation)
    {
        await client.SendAsync(static b => FrameWriter.WriteHello(b, new HelloMessage(ProtocolConstants.Version, "warm-up", true, 0, 0)), cancellation).ConfigureAwait(false);
        await client.ReadAsync(FrameKind.Welcome, 1, cancellation).ConfigureAwait(false);
        await client.SendAsync(static b => FrameWriter.WriteSub(b, 1, _topic), cancellation).ConfigureAwait(false);
        await client.ReadAsync(FrameKind.SubAck, 1, cancellation).ConfigureAwait(false);

        var payload = Payload();
        await client.SendAsync(b => WritePubs(b, 1, payload), cancellation).ConfigureAwait(false);
        var delivered = await client.ReadAsync(FrameKind.Evt, 1, cancellation).ConfigureAwait(false);
        for (var i = 0; i < _bursts; i++)
        {
            await client.SendAsync(b => WritePubs(b, _burst, payload), cancellation).ConfigureAwait(false);
            delivered += await client.ReadAsync(FrameKind.Evt, _burst, cancellation).ConfigureAwait(false);
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
