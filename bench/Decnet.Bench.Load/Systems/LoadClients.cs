namespace Decnet.Bench.Load.Systems;

/// <summary>Creates the client connection of the system a role process was started for.</summary>
internal static class LoadClients
{
    public const string Decnet = "decnet";
    public const string Nats = "nats";
    public const string Redis = "redis";
    public const string Raw = "raw";
    public const string Hop = "hop";

    /// <summary>A subscriber of <c>decnet bus</c> speaking the Python bus's text protocol (W1P only).</summary>
    public const string DecnetText = "decnet-text";

    /// <summary>Decnet clients on two brokers joined by two <c>decnet bridge</c>s and nats-server (issue 15).</summary>
    public const string Bridge = "bridge";

    public static async Task<ILoadClient> ConnectAsync(string system, string target, string name, int size) => system switch
    {
        Decnet or Bridge => await DecnetLoadClient.ConnectAsync(target, name),
        Redis => await RedisLoadClient.ConnectAsync(target, size),
        Raw => await RawLoadClient.ConnectAsync(target, size),
        Hop => RawLoadClient.Direct(target, size),
        DecnetText => await TextLoadClient.ConnectAsync(target, name),
        _ => throw new ArgumentException($"Unknown system '{system}' (the nats roles live in bench/nats-go)."),
    };
}
