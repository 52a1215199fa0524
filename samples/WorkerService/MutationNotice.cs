using Decnet.Bus;

namespace Decnet.Samples.WorkerService;

/// <summary>What the worker learned from one <c>decky.&lt;id&gt;.mutation</c> event.</summary>
/// <param name="Decky">The decky whose services changed.</param>
/// <param name="OldServices">The services before.</param>
/// <param name="NewServices">The services after.</param>
/// <param name="Trigger">Why they changed (the wire string, e.g. <c>operator</c>).</param>
public sealed record MutationNotice(string Decky, IReadOnlyList<string> OldServices, IReadOnlyList<string> NewServices, string Trigger)
{
    /// <summary>Reads the payload the mutation emitter publishes (docs/mutation-events.md).</summary>
    public static MutationNotice FromEvent(BusEvent busEvent)
    {
        ArgumentNullException.ThrowIfNull(busEvent);
        var payload = busEvent.ReadPayload<MutationPayload>();
        return new MutationNotice(payload.Decky, payload.OldServices, payload.NewServices, payload.Trigger);
    }
}
