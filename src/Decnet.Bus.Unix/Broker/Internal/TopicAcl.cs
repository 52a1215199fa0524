using System.Globalization;

namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>
/// Per-topic publish/receive rules by uid/gid, read from <c>DECNET_BUS_ACL_FILE</c> (format: deploy/bus-acl.example).
/// A rule restricts only the topics its pattern matches: a topic no rule of that verb matches is open to everyone;
/// a topic one or more rules match is open to the principals of any of them. No file means no rules (allow-all).
/// </summary>
internal sealed class TopicAcl
{
    private readonly List<Rule> _publish;
    private readonly List<Rule> _subscribe;

    private TopicAcl(List<Rule> publish, List<Rule> subscribe)
    {
        _publish = publish;
        _subscribe = subscribe;
    }

    public bool RestrictsReceiving => _subscribe.Count > 0;

    /// <summary>Parses the rules file.</summary>
    /// <exception cref="FormatException">A line is malformed; the message names the line.</exception>
    public static TopicAcl Parse(string path, IEnumerable<string> lines)
    {
        var publish = new List<Rule>();
        var subscribe = new List<Rule>();
        var number = 0;
        foreach (var raw in lines)
        {
            number++;
            var line = raw.Split('#', 2)[0].Trim();
            if (line.Length == 0)
            {
                continue;
            }

            var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 3)
            {
                throw new FormatException($"{path}:{number}: expected '<publish|subscribe> <pattern> <principals>', got '{Topics.Printable(line)}'");
            }

            if (!Topics.IsValidPattern(parts[1]))
            {
                throw new FormatException($"{path}:{number}: '{Topics.Printable(parts[1])}' is not a valid topic pattern");
            }

            var rule = new Rule(parts[1], ParsePrincipals(path, number, parts[2]));
            switch (parts[0])
            {
                case "publish":
                    publish.Add(rule);
                    break;
                case "subscribe":
                    subscribe.Add(rule);
                    break;
                default:
                    throw new FormatException($"{path}:{number}: unknown verb '{Topics.Printable(parts[0])}'; use publish or subscribe");
            }
        }

        return new TopicAcl(publish, subscribe);
    }

    public bool MayPublish(PeerCredentials peer, string topic) => Allows(_publish, peer, topic);

    /// <summary>Whether <paramref name="peer"/> may receive events on <paramref name="topic"/> (checked at delivery, so a wide pattern cannot bypass a narrow rule).</summary>
    public bool MayReceive(PeerCredentials peer, string topic) => Allows(_subscribe, peer, topic);

    private static bool Allows(List<Rule> rules, PeerCredentials peer, string topic)
    {
        var restricted = false;
        foreach (var rule in rules)
        {
            if (!Topics.Matches(rule.Pattern, topic))
            {
                continue;
            }

            if (rule.Principals.Admits(peer))
            {
                return true;
            }

            restricted = true;
        }

        return !restricted;
    }

    private static PeerAllowList ParsePrincipals(string path, int number, string text)
    {
        var uids = new List<int>();
        var gids = new List<int>();
        foreach (var principal in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var (kind, id) = principal.Split(':', 2) is [var k, var v] && int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                ? (k, n)
                : (principal, -1);
            switch (kind)
            {
                case "uid" when id >= 0:
                    uids.Add(id);
                    break;
                case "gid" when id >= 0:
                    gids.Add(id);
                    break;
                default:
                    throw new FormatException($"{path}:{number}: '{Topics.Printable(principal)}' is not uid:N or gid:N");
            }
        }

        // An empty allow-list admits every peer, and any matching rule grants: a rule naming no one (`publish > ,`)
        // would reopen every topic the other rules reserve. Fail closed, at start.
        if (uids.Count + gids.Count == 0)
        {
            throw new FormatException($"{path}:{number}: no principals; list uid:N or gid:N, separated by commas");
        }

        return new PeerAllowList(uids, gids);
    }

    private sealed record Rule(string Pattern, PeerAllowList Principals);
}
