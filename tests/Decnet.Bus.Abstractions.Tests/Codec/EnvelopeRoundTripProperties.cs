using Decnet.Bus.Codec;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Decnet.Bus.Abstractions.Tests.Codec;

public sealed class EnvelopeRoundTripProperties
{
    [Property(Arbitrary = [typeof(EnvelopeArbitraries)], MaxTest = 300)]
    public bool Envelope_RoundTripsThroughTheMapForm(BusEvent evt)
    {
        var back = BusCodec.DeserializeEnvelope(BusCodec.SerializeEnvelope(evt));
        return back.Version == evt.Version
            && back.Id == evt.Id
            && back.Topic == evt.Topic
            && back.Type == evt.Type
            && back.Timestamp.Equals(evt.Timestamp)
            && back.Payload.Span.SequenceEqual(evt.Payload.Span)
            && BusCodec.SerializeEnvelope(back).AsSpan().SequenceEqual(BusCodec.SerializeEnvelope(evt));
    }

    public static class EnvelopeArbitraries
    {
        public static Arbitrary<BusEvent> Events()
        {
            var token = Gen.Elements("a", "b", "decky", "ü", "x-1", "mutation", "日本");
            var topic = Gen.NonEmptyListOf(token).Select(t => string.Join('.', t));
            var payloadValue = Gen.OneOf(
                Gen.Choose(-1000, 1000).Select(i => (object?)i),
                Gen.Elements("", "x", "ssh,http", "quote\"", "ü").Select(s => (object?)s),
                Gen.Constant<object?>(null),
                Gen.Elements(true, false).Select(b => (object?)b),
                Gen.Choose(0, 1000).Select(i => (object?)(i / 7.0)));
            var payload = Gen.ListOf(Gen.Zip(Gen.Elements("k", "op", "mutation_id", "payload", "v"), payloadValue))
                .Select(pairs =>
                {
                    var map = new Dictionary<string, object?>();
                    foreach (var (k, v) in pairs)
                    {
                        map[k] = v;
                    }

                    return BusCodec.SerializePayload(map);
                });
            var ts = Gen.Choose(0, int.MaxValue).Select(s => s + (s % 1000 / 1000.0));
            var type = Gen.Elements("", "applied", "mutation", "ü");
            var gen =
                from t in topic
                from p in payload
                from ty in type
                from time in ts
                select new BusEvent(t, p, ty, EventId.NewId(), time);
            return Arb.From(gen);
        }
    }
}
