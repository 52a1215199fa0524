namespace Decnet.Cli.Bridge;

/// <summary>A snapshot of a bridge's counters, as it logs them periodically.</summary>
/// <param name="Exported">Local events published to NATS (including ones NATS then dropped).</param>
/// <param name="Imported">NATS messages published on the local bus (including ones the local client then dropped).</param>
/// <param name="ExportDropped">
/// Exports lost: NATS unreachable, the bridge's local queues overflowing, still queued in the bridge when it stopped,
/// or taken by the NATS client and not flushed within its bound at the stop.
/// </param>
/// <param name="ImportDropped">
/// Imports lost: the local broker unreachable, the bridge's NATS queues overflowing, or a NATS message refused (not a
/// valid envelope, or one the local broker would refuse), or still queued in the bridge when it stopped.
/// </param>
/// <param name="LoopsBlocked">Events not forwarded because this bridge had already forwarded them (the other way or by
/// another pattern).</param>
/// <param name="HopLimited">NATS messages refused because they had crossed <see cref="BridgeOptions.HopLimit"/>
/// bridges.</param>
/// <param name="LocalReconnects">Times the local broker connection was re-established (subscriptions re-made).</param>
/// <param name="NatsReconnects">Times the NATS connection was re-established.</param>
internal readonly record struct BridgeStats(
    long Exported,
    long Imported,
    long ExportDropped,
    long ImportDropped,
    long LoopsBlocked,
    long HopLimited,
    long LocalReconnects,
    long NatsReconnects)
{
    public override string ToString()
        => $"exported {Exported} imported {Imported} export_dropped {ExportDropped} import_dropped {ImportDropped} "
           + $"loops_blocked {LoopsBlocked} hop_limited {HopLimited} local_reconnects {LocalReconnects} nats_reconnects {NatsReconnects}";
}
