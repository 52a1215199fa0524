using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static Decnet.Bus.DecnetBusVariableMap;

namespace Decnet.Bus;

/// <summary>
/// Binds <see cref="DecnetBusOptions"/> with the configuration binder: first the <c>DecnetBus</c> section (keys are the
/// property names), then the <c>DECNET_BUS_*</c> variables (from the configuration root, where
/// <c>AddEnvironmentVariables()</c> puts them, or else from <see cref="DecnetBusEnvironment"/>), translated through
/// <see cref="DecnetBusVariableMap"/>. Bad values never throw here: they are recorded and reported by
/// <see cref="DecnetBusOptionsValidator"/> at host start, so the message can name every bad variable at once.
/// </summary>
internal sealed class DecnetBusOptionsSetup(IServiceProvider services) : IConfigureOptions<DecnetBusOptions>
{
    private const string _booleans = "use true or false (also 1/0, yes/no, on/off)";

    public void Configure(DecnetBusOptions options)
    {
        var configuration = services.GetService<IConfiguration>();
        var environment = services.GetService<DecnetBusEnvironment>() ?? DecnetBusEnvironment.Process;
        var section = configuration?.GetSection(DecnetBusOptions.SectionName);
        if (section is not null)
        {
            Bind(section, options);
        }

        var fromVariables = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var row in Rows)
        {
            if ((configuration?[row.Variable] ?? environment.Get(row.Variable)) is not { } value)
            {
                continue;
            }

            if (Translate(row, value, fromVariables) is { } problem)
            {
                options.BindingErrors.Add($"{row.Variable}='{Topics.Printable(value)}' {problem}");
            }
            else if (row.Kind == ValueKind.IdList)
            {
                // A variable replaces the section's list; the binder would append to it.
                (row.Key == nameof(DecnetBusOptions.AllowUids) ? options.AllowUids : options.AllowGids).Clear();
            }
            else if (row.Kind == ValueKind.OptionalId && value.Trim().Length == 0)
            {
                // Empty means "none"; the binder leaves a nullable alone when the value is empty.
                options.BrokerUid = null;
            }
        }

        if (fromVariables.Count > 0)
        {
            Bind(new ConfigurationBuilder().AddInMemoryCollection(fromVariables).Build(), options);
        }

        // A key that is there is a setting even when its value equals the default the setter compares with.
        options.GroupConfigured |= IsSet(section, fromVariables, nameof(DecnetBusOptions.Group));
        options.MaxQueueBytesConfigured |= IsSet(section, fromVariables, nameof(DecnetBusOptions.MaxQueueBytes));
    }

    private static bool IsSet(IConfigurationSection? section, Dictionary<string, string?> fromVariables, string key)
        => fromVariables.ContainsKey(key) || section?[key] is not null;

    private static void Bind(IConfiguration configuration, DecnetBusOptions options)
    {
        try
        {
            // Unknown keys fail: a misspelt or renamed key silently ignored would leave a default the operator meant to change.
            configuration.Bind(options, binder => binder.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException ex)
        {
            options.BindingErrors.Add($"{Topics.Printable(ex.Message)} (section keys are the property names, docs/Service-Bus.md \"Options\")");
        }
    }

    /// <summary>Adds the binder's form of <paramref name="value"/> to <paramref name="target"/>, or returns what is wrong.</summary>
    private static string? Translate(Row row, string value, Dictionary<string, string?> target)
    {
        var trimmed = value.Trim();
        switch (row.Kind)
        {
            case ValueKind.Text:
                target[row.Key] = value;
                return null;
            case ValueKind.TrimmedText:
                target[row.Key] = trimmed;
                return null;
            case ValueKind.Boolean:
                return Boolean(trimmed) is { } flag ? Put(target, row.Key, flag ? "true" : "false") : $"is not a boolean; {_booleans}";
            case ValueKind.Integer:
                return int.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i)
                    ? Put(target, row.Key, i.ToString(CultureInfo.InvariantCulture))
                    : $"is not an integer; use a whole number such as {1024}";
            case ValueKind.Long:
                return long.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)
                    ? Put(target, row.Key, l.ToString(CultureInfo.InvariantCulture))
                    : $"is not an integer; use a whole number such as {268435456}";
            case ValueKind.Milliseconds:
                return int.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ms)
                    ? Put(target, row.Key, TimeSpan.FromMilliseconds(ms).ToString("c", CultureInfo.InvariantCulture))
                    : $"is not an integer; use a whole number such as {1024}";
            case ValueKind.Seconds:
                return Seconds(trimmed, row.Key, target);
            case ValueKind.IdList:
                return IdList(trimmed, row.Key, target);
            default:
                if (trimmed.Length > 0 && !int.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    return "is not a numeric uid; use e.g. 998 (empty for none)";
                }

                return Put(target, row.Key, trimmed);
        }
    }

    private static string? Put(Dictionary<string, string?> target, string key, string value)
    {
        target[key] = value;
        return null;
    }

    private static bool? Boolean(string value) => value.ToUpperInvariant() switch
    {
        "TRUE" or "1" or "YES" or "ON" => true,
        "FALSE" or "0" or "NO" or "OFF" => false,
        _ => null,
    };

    private static string? Seconds(string value, string key, Dictionary<string, string?> target)
    {
        if (!double.TryParse(value, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds)
            || !double.IsFinite(seconds))
        {
            return "is not a number of seconds; use e.g. 5 or 0.5 (0 disables)";
        }

        if (seconds is < 0 or > DecnetBusOptionsValidator.MaxHeartbeatSeconds)
        {
            return $"is out of range; use 0 to {DecnetBusOptionsValidator.MaxHeartbeatSeconds} seconds (0 disables)";
        }

        return Put(target, key, TimeSpan.FromSeconds(seconds).ToString("c", CultureInfo.InvariantCulture));
    }

    private static string? IdList(string value, string key, Dictionary<string, string?> target)
    {
        var parts = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Any(part => !int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            return "is not a list of numeric ids; use e.g. 0,1000 (empty admits anyone)";
        }

        for (var i = 0; i < parts.Length; i++)
        {
            target[$"{key}:{i}"] = parts[i];
        }

        return null;
    }
}
