using System.Buffers;
using System.Text;
using Decnet.Bus.Unix.Broker.Internal;
using Decnet.Bus.Unix.Protocol;
using MessagePack;

namespace Decnet.Bus.Unix;

public sealed partial class BusServer
{
    internal static readonly byte[] HealthTopic = Encoding.UTF8.GetBytes(Topics.SystemBusHealth);

    private async Task HeartbeatLoopAsync(BrokerHub hub)
    {
        if (_options.HeartbeatInterval <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(_options.HeartbeatInterval, _time);
        try
        {
            PublishHeartbeat(hub);
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                PublishHeartbeat(hub);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Publishes <c>{pid, uptime_s, ts, connections, published, delivered, dropped}</c> on <c>system.bus.health</c>.</summary>
    internal void PublishHeartbeat(BrokerHub hub)
    {
        var totals = hub.Totals;
        var ts = _time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
        using var tail = new PooledBufferWriter(256);
        var writer = new MessagePackWriter(tail);
        writer.Write("health");
        writer.Write(EventId.NewId());
        writer.Write(ts);
        writer.WriteMapHeader(7);
        writer.Write("pid");
        writer.Write(hub.Credentials.Pid);
        writer.Write("uptime_s");
        writer.Write(hub.UptimeSeconds);
        writer.Write("ts");
        writer.Write(ts);
        writer.Write("connections");
        writer.Write(hub.ConnectionCount);
        writer.Write("published");
        writer.Write(totals.Published);
        writer.Write("delivered");
        writer.Write(totals.Delivered);
        writer.Write("dropped");
        writer.Write(totals.Dropped);
        writer.Flush();
        hub.CountHeartbeat();
        hub.PublishOwn(new ReadOnlySequence<byte>(HealthTopic), new ReadOnlySequence<byte>(tail.WrittenMemory));
    }
}
