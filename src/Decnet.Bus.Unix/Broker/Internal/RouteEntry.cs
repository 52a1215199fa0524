namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>
/// What routing one topic from one publishing connection comes to, worked out once per topic and routing-table
/// generation (<see cref="RouteCache"/>): whether the topic is refused, and otherwise the encoded topic part of its EVT
/// and, per destination connection, the encoded head of its EVT (kind and that connection's matching sids).
/// </summary>
internal sealed class RouteEntry
{
    private byte[] _data = new byte[64];
    private RouteTarget[] _targets = new RouteTarget[4];
    private int _headLength;

    /// <summary>The routing table's generation this entry was worked out for.</summary>
    public long Generation { get; private set; }

    /// <summary>The topic is refused before the PUB tail is looked at (empty, too long, not UTF-8, invalid).</summary>
    public RequestRejection? Invalid { get; private set; }

    /// <summary>The topic is valid but the ACL refuses it to this publisher (checked after the tail is validated).</summary>
    public RequestRejection? Denied { get; private set; }

    public int TargetCount { get; private set; }

    /// <summary>The EVT's topic part: str header, topic, publisher credentials array.</summary>
    public ReadOnlySpan<byte> TopicHead => _data.AsSpan(0, _headLength);

    /// <summary>
    /// Bytes held, for the cache's budget: the two arrays and, besides, about what the runtime adds (this object, two
    /// array headers, the cache's key array header and dictionary slot) and a refusal's message.
    /// </summary>
    public int Footprint => _data.Length + (_targets.Length * 16) + 176 + (((Invalid ?? Denied)?.Message.Length ?? 0) * 2);

    public ref readonly RouteTarget Target(int index) => ref _targets[index];

    public ReadOnlySpan<byte> SidHead(in RouteTarget target) => _data.AsSpan(target.Offset, target.Length);

    /// <summary>Starts over for <paramref name="generation"/> (an entry is rebuilt in place when it is not cached).</summary>
    public void Reset(long generation)
    {
        Generation = generation;
        Invalid = null;
        Denied = null;
        TargetCount = 0;
        _headLength = 0;
    }

    public void Refuse(RequestRejection rejection) => Invalid = rejection;

    public void Deny(RequestRejection rejection) => Denied = rejection;

    public void SetTopicHead(ReadOnlySpan<byte> head)
    {
        Ensure(head.Length);
        head.CopyTo(_data);
        _headLength = head.Length;
    }

    public void AddTarget(EventStaging staging, ReadOnlySpan<byte> sidHead)
    {
        var offset = End;
        Ensure(offset + sidHead.Length);
        sidHead.CopyTo(_data.AsSpan(offset));
        if (TargetCount == _targets.Length)
        {
            Array.Resize(ref _targets, _targets.Length * 2);
        }

        _targets[TargetCount++] = new RouteTarget(staging, offset, sidHead.Length);
    }

    /// <summary>A copy sized to fit, for the cache (the entry it is made from is reused).</summary>
    public RouteEntry Trimmed()
    {
        var copy = new RouteEntry
        {
            Generation = Generation,
            Invalid = Invalid,
            Denied = Denied,
            TargetCount = TargetCount,
            _headLength = _headLength,
            _data = _data.AsSpan(0, End).ToArray(),
            _targets = _targets.AsSpan(0, TargetCount).ToArray(),
        };
        return copy;
    }

    private int End => TargetCount == 0 ? _headLength : _targets[TargetCount - 1].Offset + _targets[TargetCount - 1].Length;

    private void Ensure(int length)
    {
        if (length > _data.Length)
        {
            Array.Resize(ref _data, Math.Max(length, _data.Length * 2));
        }
    }
}

/// <summary>One destination of a <see cref="RouteEntry"/>: its staging and where its EVT head is in the entry.</summary>
internal readonly record struct RouteTarget(EventStaging Staging, int Offset, int Length);
