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

    /// <summary>
    /// The entry as a publish reads it (the cache copies what it keeps, <see cref="RouteCache.Add"/>).
    /// </summary>
    public RouteView View => new(_data, TopicHead, Targets, Invalid, Denied);

    /// <summary>The bytes in use: the topic head, then each target's EVT head.</summary>
    public ReadOnlySpan<byte> Data => _data.AsSpan(0, End);

    public ReadOnlySpan<RouteTarget> Targets => _targets.AsSpan(0, TargetCount);

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
