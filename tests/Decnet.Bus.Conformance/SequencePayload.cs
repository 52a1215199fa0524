namespace Decnet.Bus.Conformance;

/// <summary>Payload carrying a publisher number and a sequence number, for order tests.</summary>
public sealed class SequencePayload
{
    /// <summary>Which publisher sent it.</summary>
    public int Publisher { get; set; }

    /// <summary>Position in that publisher's sequence.</summary>
    public int Seq { get; set; }
}
