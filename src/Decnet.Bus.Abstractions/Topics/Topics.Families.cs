namespace Decnet.Bus;

public static partial class Topics
{
    /// <summary>Root of topology events.</summary>
    public const string Topology = "topology";

    /// <summary>Root of decky events.</summary>
    public const string Decky = "decky";

    /// <summary>Root of attacker events.</summary>
    public const string Attacker = "attacker";

    /// <summary>Root of system events.</summary>
    public const string System = "system";

    /// <summary>Mutation lifecycle state: queued by the API.</summary>
    public const string MutationEnqueued = "enqueued";

    /// <summary>Mutation lifecycle state: the mutator started applying it.</summary>
    public const string MutationApplying = "applying";

    /// <summary>Mutation lifecycle state: applied.</summary>
    public const string MutationApplied = "applied";

    /// <summary>Mutation lifecycle state: failed.</summary>
    public const string MutationFailed = "failed";

    /// <summary><c>attacker.observed</c>, emitted by the correlator.</summary>
    public const string AttackerObserved = "attacker.observed";

    /// <summary><c>attacker.scored</c>, emitted by the profiler.</summary>
    public const string AttackerScored = "attacker.scored";

    /// <summary><c>attacker.fingerprinted</c>, emitted by the profiler.</summary>
    public const string AttackerFingerprinted = "attacker.fingerprinted";

    /// <summary><c>attacker.session.started</c>, emitted by the correlator.</summary>
    public const string AttackerSessionStarted = "attacker.session.started";

    /// <summary><c>attacker.session.ended</c>, emitted by the correlator.</summary>
    public const string AttackerSessionEnded = "attacker.session.ended";

    /// <summary><c>system.log</c> (reserved).</summary>
    public const string SystemLog = "system.log";

    /// <summary><c>system.bus.health</c>: the broker's heartbeat.</summary>
    public const string SystemBusHealth = "system.bus.health";

    /// <summary><c>topology.{id}.mutation.{state}</c>; see the <c>Mutation*</c> state constants.</summary>
    /// <exception cref="ArgumentException">A segment is empty or contains <c>.</c>, <c>*</c>, <c>&gt;</c>, whitespace or a control character.</exception>
    public static string TopologyMutation(string topologyId, string state)
        => $"{Topology}.{Segment(topologyId)}.mutation.{Segment(state)}";

    /// <summary><c>topology.{id}.status</c>: topology status transitions.</summary>
    /// <exception cref="ArgumentException">The id is not a valid segment.</exception>
    public static string TopologyStatus(string topologyId) => $"{Topology}.{Segment(topologyId)}.status";

    /// <summary><c>decky.{id}.state</c> (reserved).</summary>
    /// <exception cref="ArgumentException">The id is not a valid segment.</exception>
    public static string DeckyState(string deckyId) => $"{Decky}.{Segment(deckyId)}.state";

    /// <summary><c>decky.{id}.traffic</c> (reserved).</summary>
    /// <exception cref="ArgumentException">The id is not a valid segment.</exception>
    public static string DeckyTraffic(string deckyId) => $"{Decky}.{Segment(deckyId)}.traffic";

    /// <summary><c>decky.{id}.mutate_request</c>: force one mutation of the decky now.</summary>
    /// <exception cref="ArgumentException">The id is not a valid segment.</exception>
    public static string DeckyMutateRequest(string deckyId) => $"{Decky}.{Segment(deckyId)}.mutate_request";

    /// <summary><c>decky.{id}.mutation</c>: a decky's services changed (MutationEventEmitter).</summary>
    /// <exception cref="ArgumentException">The id is not a valid segment.</exception>
    public static string DeckyMutation(string deckyId) => $"{Decky}.{Segment(deckyId)}.mutation";

    /// <summary><c>system.{worker}.health</c>: a worker's heartbeat.</summary>
    /// <exception cref="ArgumentException">The worker name is not a valid segment.</exception>
    public static string SystemWorkerHealth(string worker) => $"{System}.{Segment(worker)}.health";

    /// <summary><c>system.{worker}.control</c>: operator stop/start requests for a worker.</summary>
    /// <exception cref="ArgumentException">The worker name is not a valid segment.</exception>
    public static string SystemWorkerControl(string worker) => $"{System}.{Segment(worker)}.control";

    /// <summary>
    /// Returns <paramref name="value"/> when it is a valid single topic token; throws otherwise.
    /// Use it for any id that goes into a topic so a bogus id cannot corrupt the hierarchy.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The value is null, empty, or contains <c>.</c>, <c>*</c>, <c>&gt;</c>, or a character no topic may hold (whitespace,
    /// control, format, separator, unassigned, private-use, noncharacter, unpaired surrogate).
    /// </exception>
    public static string Segment(string value, [global::System.Runtime.CompilerServices.CallerArgumentExpression(nameof(value))] string? paramName = null)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new ArgumentException("Topic segment must not be null or empty.", paramName);
        }

        var syntax = value.AsSpan().IndexOfAny(_segmentSyntax);
        var refused = TopicCharacters.IndexOfRefused(value);
        if (syntax >= 0 && (refused < 0 || syntax < refused))
        {
            var problem = value[syntax] == '.' ? "'.' (it separates tokens)" : $"the wildcard '{value[syntax]}'";
            throw new ArgumentException($"Topic segment \"{Printable(value)}\" contains {problem}; a segment must be one token.", paramName);
        }

        if (refused >= 0)
        {
            var codePoint = TopicCharacters.CodePointAt(value, refused);
            throw new ArgumentException(
                $"Topic segment \"{Printable(value)}\" contains {TopicCharacters.Describe(codePoint)} (U+{codePoint:X4}); a segment must be one token of visible characters.",
                paramName);
        }

        return value;
    }
}
