namespace Decnet.Bus.Soak.Load;

/// <summary>The published payload (a string-keyed map on the wire). The sequence number travels in the event type.</summary>
public sealed class LoadPayload
{
    /// <summary>The publisher's index.</summary>
    public int P { get; set; }
}
