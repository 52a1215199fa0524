using System.Buffers.Binary;
using System.Text;

namespace Decnet.Bus.Unix.Hardening.Tests.Support;

/// <summary>
/// Seeded generator of hostile text-protocol input (the Python bus's wire, docs/text-protocol.md): valid frames
/// with random JSON, mutated and truncated ones, bad verbs, long headers, lying lengths, deep and broken JSON.
/// </summary>
internal sealed class TextFuzzInputs
{
    public static readonly string[] Kinds = ["valid", "mutated", "truncated", "bad-verb", "long-header", "huge-length", "deep-json", "random"];

    private static readonly string[] _verbs = ["HELLO", "PUB", "SUB", "UNSUB", "EVT", "BYE"];
    private readonly Random _random;
    private readonly byte[][] _valid;
    private readonly byte[][] _deep;
    private int _next;

    /// <summary>Builds a pool of valid and deep frames once, so a million inputs cost the decoder's time, not the generator's.</summary>
    public TextFuzzInputs(int seed)
    {
        _random = new Random(seed);
        _valid = [.. Enumerable.Range(0, 512).Select(_ => NewValid())];
        _deep = [.. Enumerable.Range(0, 64).Select(_ => NewDeep())];
    }

    public string LastKind { get; private set; } = string.Empty;

    public byte[] Next()
    {
        LastKind = Kinds[_next++ % Kinds.Length];
        switch (LastKind)
        {
            case "valid":
                return Valid();
            case "mutated":
                var mutated = Valid();
                for (var flips = _random.Next(1, 4); flips > 0; flips--)
                {
                    mutated[_random.Next(mutated.Length)] = (byte)_random.Next(256);
                }

                return mutated;
            case "truncated":
                var whole = Valid();
                return whole[.._random.Next(1, whole.Length)];
            case "bad-verb":
                return Frame("PUBX a.b", "{}"u8.ToArray());
            case "long-header":
                return Encoding.ASCII.GetBytes("PUB " + new string('a', _random.Next(4093, 6000)) + "\n");
            case "huge-length":
                var huge = Encoding.ASCII.GetBytes("PUB a.b\n\0\0\0\0");
                BinaryPrimitives.WriteUInt32BigEndian(huge.AsSpan(8), (uint)_random.NextInt64((1024 * 1024) + 1, uint.MaxValue));
                return huge;
            case "deep-json":
                return _deep[_random.Next(_deep.Length)];
            default:
                var random = new byte[_random.Next(1, 300)];
                _random.NextBytes(random);
                random[0] = (byte)_random.Next('A', 'Z' + 1);
                return random;
        }
    }

    private byte[] Valid() => (byte[])_valid[_random.Next(_valid.Length)].Clone();

    private byte[] NewDeep()
    {
        var levels = _random.Next(60, 2000);
        return Frame("PUB a.b", Encoding.ASCII.GetBytes("{\"payload\":{\"k\":" + new string('[', levels) + new string(']', levels) + "}}"));
    }

    private byte[] NewValid()
    {
        var verb = _verbs[_random.Next(_verbs.Length)];
        // One PUB in eight has an empty body, which publishes {} (docs/text-protocol.md §3).
        var body = verb == "PUB" && _random.Next(8) != 0 ? Encoding.UTF8.GetBytes($$"""{"type":"t{{_random.Next(10)}}","payload":{{Value(0)}}}""") : [];
        return Frame($"{verb} a.{_random.Next(100)}", body);
    }

    private string Value(int depth) => (depth > 3 ? _random.Next(6) : _random.Next(8)) switch
    {
        0 => _random.NextInt64(long.MinValue, long.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture),
        1 => (_random.NextDouble() * 1e300).ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        2 => "\"s\\u00e9\\ud83d\\ude00\"",
        3 => "true",
        4 => "null",
        5 => "18446744073709551615",
        6 => "[" + string.Join(',', Enumerable.Range(0, _random.Next(4)).Select(_ => Value(depth + 1))) + "]",
        _ => "{" + string.Join(',', Enumerable.Range(0, _random.Next(4)).Select(i => $"\"k{i}\":{Value(depth + 1)}")) + "}",
    };

    private static byte[] Frame(string header, byte[] body)
    {
        var frame = new byte[header.Length + 1 + 4 + body.Length];
        Encoding.ASCII.GetBytes(header, frame);
        frame[header.Length] = (byte)'\n';
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(header.Length + 1), (uint)body.Length);
        body.CopyTo(frame, header.Length + 5);
        return frame;
    }
}
