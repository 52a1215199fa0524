using System.Globalization;
using Decnet.Bus.Soak.Load;

namespace Decnet.Bus.Soak.Soak;

/// <summary>The soak's shape: how long, how often the broker is killed, and the load.</summary>
public sealed record SoakOptions
{
    /// <summary>Total run time; the round in progress when it passes is finished.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long each broker lives under load before it is killed (or, last in a round, stopped).</summary>
    public TimeSpan EpochLength { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>SIGKILLed broker lifetimes per round; each round then ends with one graceful, exactly balanced lifetime.</summary>
    public int KillsPerRound { get; init; } = 4;

    /// <summary>The load.</summary>
    public LoadOptions Load { get; init; } = new();

    /// <summary>Parses <c>--duration S --epoch S --kills N --publishers N --subscribers N --rate N</c>.</summary>
    /// <exception cref="ArgumentException">An unknown flag or a bad number.</exception>
    public static SoakOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new SoakOptions();
        var load = options.Load;
        for (var i = 0; i < args.Count; i += 2)
        {
            var value = i + 1 < args.Count && int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0
                ? n
                : throw new ArgumentException($"{args[i]} needs a non-negative integer");
            switch (args[i])
            {
                case "--duration": options = options with { Duration = TimeSpan.FromSeconds(value) }; break;
                case "--epoch": options = options with { EpochLength = TimeSpan.FromSeconds(Math.Max(1, value)) }; break;
                case "--kills": options = options with { KillsPerRound = value }; break;
                case "--publishers": load = load with { Publishers = Math.Max(3, value) }; break;
                case "--subscribers": load = load with { Subscribers = Math.Max(1, value) }; break;
                case "--rate": load = load with { RatePerPublisher = value }; break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        }

        return options with { Load = load };
    }
}
