namespace Decnet.Mutator.Events.Tests.Support;

internal static class Samples
{
    /// <summary>2026-11-22T10:00:00.123456Z, the timestamp of design §9's example.</summary>
    public static DateTimeOffset Timestamp { get; } = new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero).AddTicks(1_234_560);

    public static DeckyMutatedEvent Event(
        MutationTrigger trigger = MutationTrigger.Operator,
        string? actor = "alice",
        string[]? oldServices = null,
        string[]? newServices = null)
        => new(Timestamp, "decky-01", oldServices ?? ["ssh", "http"], newServices ?? ["http", "smb"], trigger, actor);
}
