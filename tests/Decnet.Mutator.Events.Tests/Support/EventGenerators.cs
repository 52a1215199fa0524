using FsCheck;
using FsCheck.Fluent;

namespace Decnet.Mutator.Events.Tests.Support;

/// <summary>FsCheck generators of VALID event fields, biased towards the characters that break naive parsers.</summary>
internal static class EventGenerators
{
    internal const string Alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    // Printable ASCII other than space , " \ ] = (design §9), with the troublemakers repeated to bias towards them.
    private static readonly char[] _serviceChars = Enumerable.Range('!', '~' - '!' + 1)
        .Select(i => (char)i)
        .Where(c => c is not ',' and not '"' and not '\\' and not ']' and not '=')
        .Concat("[[[''':::@@@}}}>>>---".ToCharArray())
        .ToArray();

    // Whole text elements, so a surrogate pair is never split.
    private static readonly string[] _actorAtoms =
    [
        "\"", "\\", "]", "[", "=", " ", "\\\"", "\\]", "]\"", "a", "Z", "0", "é", "ß", "日本", "Ω", "🦀", "👩‍💻",
        "\u200b", "\ufeff", "relay@55555", "actor=\"", "\" x=\"", "[relay@55555 decky=\"evil\"]",
    ];

    public static Gen<string> Decky { get; } =
        from first in Gen.Elements(Alnum.ToCharArray())
        from rest in Gen.Choose(0, 62).SelectMany(n => Gen.ArrayOf(Gen.Elements((Alnum + "-_").ToCharArray()), n))
        select first + new string(rest);

    public static Gen<string> Service { get; } =
        Gen.Choose(1, 64).SelectMany(n => Gen.ArrayOf(Gen.Elements(_serviceChars), n)).Select(chars => new string(chars));

    public static Gen<string[]> Services { get; } =
        Gen.Choose(0, 6).SelectMany(n => Gen.ArrayOf(Service, n)).Select(list => list.Distinct(StringComparer.Ordinal).ToArray());

    public static Gen<string?> Actor { get; } = Gen.Frequency<string?>(
        (1, Gen.Constant<string?>(null)),
        (6, Gen.Choose(1, 40).SelectMany(n => Gen.ArrayOf(Gen.Elements(_actorAtoms), n)).Select(a => (string?)string.Concat(a))),
        (1, Gen.Choose(900, 1000).Select(n => (string?)(new string('\\', n / 2) + new string(']', n / 2)))));

    public static Gen<DateTimeOffset> Timestamp { get; } =
        from seconds in Gen.Choose(0, int.MaxValue)
        from micros in Gen.Choose(0, 999_999)
        select new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(seconds).AddTicks(micros * TimeSpan.TicksPerMicrosecond);

    public static Gen<DeckyMutatedEvent> Event { get; } =
        from timestamp in Timestamp
        from decky in Decky
        from oldServices in Services
        from newServices in Services
        from trigger in Gen.Elements(MutationTriggers.All.ToArray())
        from actor in Actor
        select new DeckyMutatedEvent(
            timestamp,
            decky,
            trigger == MutationTrigger.Creation ? [] : oldServices,
            trigger == MutationTrigger.Retirement ? [] : newServices,
            trigger,
            actor);
}
