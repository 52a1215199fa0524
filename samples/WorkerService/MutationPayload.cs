using MessagePack;

namespace Decnet.Samples.WorkerService;

/// <summary>The bus payload of a mutation event: snake_case keys, as docs/mutation-events.md lists them.</summary>
[MessagePackObject]
public sealed class MutationPayload
{
    /// <summary>The decky id.</summary>
    [Key("decky")]
    public string Decky { get; set; } = "";

    /// <summary>The services before.</summary>
    [Key("old_services")]
    public List<string> OldServices { get; set; } = [];

    /// <summary>The services after.</summary>
    [Key("new_services")]
    public List<string> NewServices { get; set; } = [];

    /// <summary>The trigger's wire string.</summary>
    [Key("trigger")]
    public string Trigger { get; set; } = "";

    /// <summary>Who asked, when someone did.</summary>
    [Key("actor")]
    public string? Actor { get; set; }
}
