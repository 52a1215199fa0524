namespace Decnet.Bus.Conformance;

/// <summary>A payload with one member of each common kind, for round-trip tests.</summary>
public sealed class SamplePayload
{
    /// <summary>A string, including non-ASCII text.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>An integer.</summary>
    public int Count { get; set; }

    /// <summary>A float64.</summary>
    public double Ratio { get; set; }

    /// <summary>A boolean.</summary>
    public bool Enabled { get; set; }

    /// <summary>An array.</summary>
    public IReadOnlyList<string> Tags { get; set; } = [];
}
