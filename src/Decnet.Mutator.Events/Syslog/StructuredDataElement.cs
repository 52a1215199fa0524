namespace Decnet.Mutator.Events;

/// <summary>One SD-ELEMENT: an SD-ID and its SD-PARAMs with values already unescaped.</summary>
public sealed class StructuredDataElement
{
    internal StructuredDataElement(string id, IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        Id = id;
        Parameters = parameters;
    }

    /// <summary>The SD-ID, e.g. <c>relay@55555</c>.</summary>
    public string Id { get; }

    /// <summary>The parameters in order (RFC 5424 allows a name to repeat).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Parameters { get; }
}
