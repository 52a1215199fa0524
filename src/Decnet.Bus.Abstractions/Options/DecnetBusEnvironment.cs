namespace Decnet.Bus;

/// <summary>
/// Where <c>AddDecnetBus()</c> reads <c>DECNET_BUS_*</c> variables that are not in <c>IConfiguration</c>.
/// </summary>
/// <remarks>
/// Hosts normally call <c>AddEnvironmentVariables()</c> without a prefix, so the variables already sit at the root of
/// <c>IConfiguration</c> and are read from there first. This source is the fallback for containers without
/// <c>IConfiguration</c> (a bare <c>ServiceCollection</c> in a tool) or configurations built without environment
/// variables. Register <see cref="None"/> or <see cref="From"/> to make tests independent of the process
/// environment (mutating process variables races with parallel tests).
/// </remarks>
public sealed class DecnetBusEnvironment
{
    private readonly Func<string, string?> _lookup;

    private DecnetBusEnvironment(Func<string, string?> lookup) => _lookup = lookup;

    /// <summary>Reads the process environment (<see cref="Environment.GetEnvironmentVariable(string)"/>); the default.</summary>
    public static DecnetBusEnvironment Process { get; } = new(Environment.GetEnvironmentVariable);

    /// <summary>Reads nothing: only <c>IConfiguration</c> and code configure the bus.</summary>
    public static DecnetBusEnvironment None { get; } = new(static _ => null);

    /// <summary>Reads the given variables only.</summary>
    public static DecnetBusEnvironment From(IReadOnlyDictionary<string, string?> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var copy = new Dictionary<string, string?>(variables, StringComparer.Ordinal);
        return new(name => copy.GetValueOrDefault(name));
    }

    /// <summary>Returns the variable's value, or null when it is not set.</summary>
    public string? Get(string name) => _lookup(name);
}
