using System.Buffers;
using System.Text.Unicode;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>
/// Works out a <see cref="RouteEntry"/> for one topic from one publisher: validates the topic, applies the ACL, matches
/// the routing table and encodes the EVT parts (one EVT per destination connection, carrying every matching sid of
/// that connection). Runs once per topic and routing-table generation per connection (<see cref="RouteCache"/>).
/// </summary>
internal sealed class RouteResolver(RoutingTable routes, BrokerLimits limits)
{
    internal static readonly Comparison<Route> ByConnectionThenSid = static (a, b) =>
    {
        var c = a.Connection.Id.CompareTo(b.Connection.Id);
        return c != 0 ? c : a.Sid.CompareTo(b.Sid);
    };

    /// <summary>Resolves into <paramref name="batch"/>'s scratch entry; the cache copies it if it keeps it.</summary>
    public RouteEntry Resolve(ReadBatch batch, BrokerConnection? publisher, PeerCredentials credentials, ReadOnlySpan<byte> topicUtf8, long generation)
    {
        var entry = batch.Scratch(generation);
        var chars = topicUtf8.Length <= 512 ? stackalloc char[topicUtf8.Length] : new char[topicUtf8.Length];
        if (Utf8.ToUtf16(topicUtf8, chars, out _, out var count, replaceInvalidSequences: false) != OperationStatus.Done)
        {
            entry.Refuse(new RequestRejection(BusErrorCode.InvalidTopic, "the topic is not valid UTF-8"));
            return entry;
        }

        var topicChars = chars[..count];
        if (!TopicText.IsValidTopic(topicChars))
        {
            // Rare: worded by the client validator, which applies the same rule to the same characters.
            var text = new string(topicChars);
            entry.Refuse(new RequestRejection(BusErrorCode.InvalidTopic, $"invalid topic \"{UntrustedText.Excerpt(text)}\": {Topics.DescribeTopicError(text)}"));
            return entry;
        }

        var acl = limits.Acl;
        var topic = acl is null ? null : new string(topicChars);
        if (acl is not null && publisher is not null && !acl.MayPublish(credentials, topic!))
        {
            entry.Deny(new RequestRejection(BusErrorCode.PermissionDenied, $"uid {credentials.Uid} gid {credentials.Gid} may not publish on {topic} (DECNET_BUS_ACL_FILE)"));
            return entry;
        }

        var matches = batch.Matches;
        matches.Clear();
        routes.Match(topicChars, matches);
        if (publisher is { Echo: false })
        {
            matches.RemoveAll(m => m.Connection == publisher);
        }

        if (acl is { RestrictsReceiving: true })
        {
            // Checked per delivery, not per SUB: a wide pattern (">") must not see topics a rule reserves.
            matches.RemoveAll(m => !acl.MayReceive(m.Connection.Credentials, topic!));
        }

        if (matches.Count > 0)
        {
            Encode(batch, entry, credentials, topicUtf8, matches);
        }

        matches.Clear();
        return entry;
    }

    private static void Encode(ReadBatch batch, RouteEntry entry, PeerCredentials credentials, ReadOnlySpan<byte> topicUtf8, List<Route> matches)
    {
        var head = batch.Encoder();
        FrameWriter.WriteEvtTopicHead(head, topicUtf8, credentials);
        entry.SetTopicHead(head.WrittenSpan);

        matches.Sort(ByConnectionThenSid);
        Span<uint> few = stackalloc uint[16];
        var start = 0;
        while (start < matches.Count)
        {
            var connection = matches[start].Connection;
            var end = start + 1;
            while (end < matches.Count && matches[end].Connection == connection)
            {
                end++;
            }

            var sids = end - start <= few.Length ? few[..(end - start)] : new uint[end - start];
            for (var i = start; i < end; i++)
            {
                sids[i - start] = matches[i].Sid;
            }

            // The EVT head without its length prefix, which each event writes for its own size.
            var sidHead = batch.Encoder();
            FrameWriter.WriteEvtPrefix(sidHead, sids, 0);
            entry.AddTarget(batch.StagingFor(connection), sidHead.WrittenSpan[ProtocolConstants.HeaderSize..]);
            start = end;
        }
    }
}
