using Decnet.Bus;

namespace Decnet.Testing;

/// <summary>One publish a <see cref="RecordingBus"/> saw: its topic, the type as given, and the event it became.</summary>
internal sealed record RecordedPublish(string Topic, string? Type, BusEvent Event)
{
    /// <summary>The payload decoded through the real codec (decoded on access: not every test publishes a map).</summary>
    public IReadOnlyDictionary<string, object?> Payload => Event.ReadPayloadAsDictionary();
}
