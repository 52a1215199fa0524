namespace Decnet.Samples.WorkerService;

/// <summary>Settings of the sample worker, from the <c>Watcher</c> configuration section (e.g. <c>--Watcher:ExitAfter=1</c>).</summary>
public sealed class WatcherOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Watcher";

    /// <summary>The pattern the worker subscribes to.</summary>
    public string Pattern { get; set; } = "decky.*.mutation";

    /// <summary>When set, the worker emits one mutation of this decky once it is subscribed (a demo of the emitter).</summary>
    public string? EmitDecky { get; set; }

    /// <summary>When above zero, the worker stops the host after this many mutations.</summary>
    public int ExitAfter { get; set; }
}
