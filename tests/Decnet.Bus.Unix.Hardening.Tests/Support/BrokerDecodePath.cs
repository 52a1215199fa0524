using System.Buffers;
using Decnet.Bus.Unix.Broker.Internal;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Hardening.Tests.Support;

/// <summary>
/// Runs bytes through every decoder a peer's frame can reach: <see cref="FrameReader.TryParse"/>, then what the broker
/// (PUB topic and tail, HELLO) or a client (WELCOME, EVT, ERR, STATS reply) does with the frame.
/// Returns how many frames parsed; malformed input surfaces as <see cref="ProtocolException"/>, the one documented exception.
/// </summary>
internal static class BrokerDecodePath
{
    [ThreadStatic]
    private static List<uint>? _sids;

    public static int Consume(ReadOnlySequence<byte> buffer, int maxFrame)
    {
        var frames = 0;
        Span<char> topic = stackalloc char[1024];
        while (FrameReader.TryParse(ref buffer, maxFrame, out var frame))
        {
            frames++;
            switch (frame.Kind)
            {
                case FrameKind.Pub:
                    if (frame.Topic.Length <= topic.Length)
                    {
                        var count = TopicText.Decode(frame.Topic, topic);
                        _ = count >= 0 && TopicText.IsValidTopic(topic[..count]);
                    }

                    FrameDecoder.ValidatePublishTail(frame.Tail);
                    break;
                case FrameKind.Sub:
                    _ = TopicText.DecodePattern(frame.Topic) is { } pattern && Topics.IsValidPattern(pattern);
                    break;
                case FrameKind.Hello:
                    FrameDecoder.ReadHello(frame.Body);
                    break;
                case FrameKind.Welcome:
                    FrameDecoder.ReadWelcome(frame.Body);
                    break;
                case FrameKind.Evt:
                    FrameDecoder.ReadEvent(frame.Body, _sids ??= []);
                    break;
                case FrameKind.Err:
                    FrameDecoder.ReadErr(frame.Body);
                    break;
                case FrameKind.StatsReply:
                    FrameDecoder.ReadStatsReply(frame.Body);
                    break;
            }
        }

        return frames;
    }
}
