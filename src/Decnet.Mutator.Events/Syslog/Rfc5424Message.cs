namespace Decnet.Mutator.Events;

/// <summary>A parsed RFC 5424 message. Nil values (<c>-</c>) are null.</summary>
public sealed class Rfc5424Message
{
    internal Rfc5424Message(
        int priority,
        int version,
        DateTimeOffset? timestamp,
        string? hostname,
        string? appName,
        string? procId,
        string? messageId,
        IReadOnlyList<StructuredDataElement> structuredData,
        string? message)
    {
        Priority = priority;
        Version = version;
        Timestamp = timestamp;
        Hostname = hostname;
        AppName = appName;
        ProcId = procId;
        MessageId = messageId;
        StructuredData = structuredData;
        Message = message;
    }

    /// <summary>PRIVAL, 0–191.</summary>
    public int Priority { get; }

    /// <summary>Facility: <see cref="Priority"/> / 8.</summary>
    public int Facility => Priority / 8;

    /// <summary>Severity: <see cref="Priority"/> % 8.</summary>
    public int Severity => Priority % 8;

    /// <summary>VERSION (1 for RFC 5424).</summary>
    public int Version { get; }

    /// <summary>TIMESTAMP with its offset, or null for nil.</summary>
    public DateTimeOffset? Timestamp { get; }

    /// <summary>HOSTNAME, or null for nil.</summary>
    public string? Hostname { get; }

    /// <summary>APP-NAME, or null for nil.</summary>
    public string? AppName { get; }

    /// <summary>PROCID, or null for nil.</summary>
    public string? ProcId { get; }

    /// <summary>MSGID, or null for nil.</summary>
    public string? MessageId { get; }

    /// <summary>The SD-ELEMENTs in order; empty for nil STRUCTURED-DATA.</summary>
    public IReadOnlyList<StructuredDataElement> StructuredData { get; }

    /// <summary>MSG (a leading UTF-8 BOM removed), or null when absent.</summary>
    public string? Message { get; }

    /// <summary>Returns the SD-ELEMENT with <paramref name="id"/>, or null.</summary>
    public StructuredDataElement? FindElement(string id)
    {
        foreach (var element in StructuredData)
        {
            if (string.Equals(element.Id, id, StringComparison.Ordinal))
            {
                return element;
            }
        }

        return null;
    }
}
