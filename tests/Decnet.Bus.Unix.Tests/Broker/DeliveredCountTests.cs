using Decnet.Bus.Unix.Broker.Internal;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Broker;

/// <summary>
/// The broker's <c>delivered</c> total counts what went into a queue, as each connection's row does (docs/operations.md,
/// <c>decnet stats</c>): events staged for a connection that began closing before the read committed them are not.
/// </summary>
public sealed class DeliveredCountTests : IAsyncLifetime
{
    private TestBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await TestBroker.StartAsync(o => o.HeartbeatInterval = TimeSpan.Zero);

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public async Task EventsStagedForAConnectionThatClosesBeforeTheCommit_AreNotCountedAsDelivered()
    {
        await using var raw = await RawClient.ConnectAsync(_broker.SocketPath);
        await raw.SendAsync(b => FrameWriter.WriteSub(b, 1, "closing.>"));
        Assert.Equal(FrameKind.SubAck, (await raw.ReadFrameAsync()).Kind);
        var hub = _broker.Server.Hub!;
        var destination = hub.Connections.Single(c => c.Name == "raw");
        var frame = FrameBytes.Of(b => FrameWriter.WritePubRaw(b, "closing.t", "t", RawFrames.EventId, 7, [0x80]));
        Assert.True(FrameReader.TryReadCanonicalPub(frame, 1 << 20, out _, out var topic, out var tail));
        var batch = new ReadBatch(hub, null);
        var before = hub.Totals.Delivered;

        Assert.Null(hub.Publish(batch, null, hub.Credentials, topic, tail)); // staged, not yet queued
        destination.Outbound.BeginClose(FrameBytes.Of(b => FrameWriter.WriteSimple(b, FrameKind.Bye)), discardEvents: true);
        batch.Complete(drained: true);

        Assert.Equal(before, hub.Totals.Delivered);
        Assert.Equal(0, destination.Snapshot().Delivered);
    }
}
