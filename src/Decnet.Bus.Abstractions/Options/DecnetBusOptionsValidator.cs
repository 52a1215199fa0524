using System.Text;
using Microsoft.Extensions.Options;

namespace Decnet.Bus;

/// <summary>
/// Checks <see cref="DecnetBusOptions"/> at host start (<c>ValidateOnStart</c>): values that failed to parse while
/// binding, then ranges. Every message names the <c>DECNET_BUS_*</c> variable, the bad value and what is allowed.
/// </summary>
internal sealed class DecnetBusOptionsValidator(IEnumerable<IBusTransportProvider> providers, BusRegistration? registration = null) : IValidateOptions<DecnetBusOptions>
{
    /// <summary>Longest heartbeat (and keepalive) period accepted, in seconds (one day).</summary>
    public const int MaxHeartbeatSeconds = 86_400;

    /// <summary>
    /// Shortest heartbeat (and keepalive) period other than zero: the <see cref="PeriodicTimer"/> each runs on takes
    /// no shorter one.
    /// </summary>
    public static readonly TimeSpan MinHeartbeat = TimeSpan.FromMilliseconds(1);

    /// <summary>What <see cref="IsHeartbeatInRange"/> allows, for messages.</summary>
    public static readonly string HeartbeatRange = $"0 (disables) or {MinHeartbeat.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)} to {MaxHeartbeatSeconds} seconds";

    /// <summary>Zero (disabled), or a period a <see cref="PeriodicTimer"/> takes, up to a day (a heartbeat's or a keepalive's).</summary>
    public static bool IsHeartbeatInRange(TimeSpan interval)
        => interval == TimeSpan.Zero || (interval >= MinHeartbeat && interval <= TimeSpan.FromSeconds(MaxHeartbeatSeconds));

    /// <summary>Longest client name accepted, in characters.</summary>
    public const int MaxClientNameLength = 128;

    /// <summary>
    /// Smallest frame limit accepted, the smallest the broker negotiates: a LOST frame of its most pairs takes up to
    /// 3.9 KB and must fit any client's limit (docs/wire-protocol.md §4.1). A smaller value would be raised silently.
    /// </summary>
    public const int MinFrameBytes = 4096;

    /// <summary>
    /// Largest queue size accepted, in events: the most the broker grants one connection (docs/wire-protocol.md §4.1),
    /// so a larger value is refused rather than silently capped.
    /// </summary>
    public const int MaxQueueSize = 1 << 20;

    /// <summary>Largest frame limit accepted (64 MiB): larger events belong in the database.</summary>
    public const int MaxFrameBytesLimit = 64 * 1024 * 1024;

    /// <summary>Largest reconnect delay accepted, in milliseconds (one minute).</summary>
    public const int MaxReconnectMs = 60_000;

    /// <summary>Largest send buffer accepted (64 MiB); the kernel caps what it grants at <c>net.core.wmem_max</c> anyway.</summary>
    public const int MaxSendBufferBytes = 64 * 1024 * 1024;

    /// <summary>A catch-up wait holds a reading loop (and the PINGs behind it): a second is far past any use.</summary>
    public const int MaxCatchUpWaitMs = 1000;

    public ValidateOptionsResult Validate(string? name, DecnetBusOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>(options.BindingErrors);

        // A disabled bus is NullBus, a host that registered its own IBus uses none, and a broker host without
        // AddDecnetBus() (no registration) has no IBus at all: none of them needs a transport.
        var transports = new BusTransportResolver(providers);
        if (options.Enabled && registration?.UsesTransport == true && transports.Find(options.Type) is null)
        {
            failures.Add(transports.Missing(options.Type));
        }

        // No default path (no /run/decnet, no usable home or runtime directory) is not a bad value: a client counts its
        // publishes as dropped, as when the broker is down, and the broker refuses to start naming DECNET_BUS_SOCKET.
        var socketPath = options.SocketPath;
        if (options.SocketPathConfigured || socketPath.Length > 0)
        {
            CheckSocketPath(socketPath, failures);
        }

        if (options.Group.Any(char.IsControl))
        {
            failures.Add($"{DecnetBusVariables.Group}='{Topics.Printable(options.Group)}' contains a control character; use a group name, or empty to skip chown");
        }

        Range(failures, DecnetBusVariables.QueueSize, options.QueueSize, 1, MaxQueueSize);
        Period(failures, DecnetBusVariables.HeartbeatSeconds, options.HeartbeatInterval);

        if (string.IsNullOrWhiteSpace(options.ClientName) || options.ClientName.Length > MaxClientNameLength || options.ClientName.Any(char.IsControl))
        {
            failures.Add($"{DecnetBusVariables.ClientName}='{Topics.Printable(options.ClientName ?? string.Empty)}' is not a usable name; use 1 to {MaxClientNameLength} printable characters");
        }

        var min = (long)options.ReconnectMinDelay.TotalMilliseconds;
        var max = (long)options.ReconnectMaxDelay.TotalMilliseconds;
        Range(failures, DecnetBusVariables.ReconnectMinMs, min, 1, MaxReconnectMs);
        Range(failures, DecnetBusVariables.ReconnectMaxMs, max, 1, MaxReconnectMs);
        if (min > max)
        {
            failures.Add($"{DecnetBusVariables.ReconnectMinMs}='{min}' is greater than {DecnetBusVariables.ReconnectMaxMs}='{max}'; the first delay must not exceed the cap");
        }

        Range(failures, DecnetBusVariables.MaxFrameBytes, options.MaxFrameBytes, MinFrameBytes, MaxFrameBytesLimit);
        Range(failures, DecnetBusVariables.MaxTopicBytes, options.MaxTopicBytes, 1, Math.Max(1, options.MaxFrameBytes / 2));
        Range(failures, DecnetBusVariables.MaxSubscriptions, options.MaxSubscriptionsPerConnection, 1, int.MaxValue);
        Range(failures, DecnetBusVariables.MaxConnections, options.MaxConnections, 1, int.MaxValue);
        Range(failures, DecnetBusVariables.MaxConnectionsPerUid, options.MaxConnectionsPerUid, 1, int.MaxValue);
        Range(failures, DecnetBusVariables.MaxHandshaking, options.MaxHandshakingConnections, 1, int.MaxValue);
        TotalQueueBytes(failures, options);
        Range(failures, DecnetBusVariables.MaxPatternTokens, options.MaxPatternTokens, 1, int.MaxValue);
        Range(failures, DecnetBusVariables.SendBufferBytes, options.SendBufferBytes, 0, MaxSendBufferBytes);
        if (options.MaxQueueBytesConfigured && options.MaxQueueBytes < options.MaxFrameBytes
            && options.MaxFrameBytes is >= MinFrameBytes and <= MaxFrameBytesLimit)
        {
            // Only when set (unset, it follows the frame limit) and the frame limit is valid (else its own line is the
            // one to read). The line names both variables: raising the frame limit is what made the value too small.
            failures.Add(
                $"{DecnetBusVariables.MaxQueueBytes}='{options.MaxQueueBytes}' is below {DecnetBusVariables.MaxFrameBytes}='{options.MaxFrameBytes}'; "
                + $"a connection's queue must hold one frame: use at least {options.MaxFrameBytes}, or leave it unset to follow the frame limit");
        }
        Period(failures, DecnetBusVariables.KeepaliveSeconds, options.KeepaliveInterval);
        Seconds(failures, DecnetBusVariables.HandshakeTimeoutSeconds, options.HandshakeTimeout, allowZero: false);
        Seconds(failures, DecnetBusVariables.IdleTimeoutSeconds, options.IdleTimeout, allowZero: true);
        Seconds(failures, DecnetBusVariables.StallTimeoutSeconds, options.StallTimeout, allowZero: true);
        Range(failures, DecnetBusVariables.CatchUpWaitMs, (long)options.CatchUpWait.TotalMilliseconds, 0, MaxCatchUpWaitMs);
        DecnetBusNatsValidation.Validate(options, failures);

        if (options.BrokerUid is < 0)
        {
            failures.Add($"{DecnetBusVariables.BrokerUid}='{options.BrokerUid}' is out of range; use a uid of at least 0 (empty for none)");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>
    /// What makes <paramref name="path"/> unusable as a UNIX socket's path, as one line, or null (for a client handed
    /// options in code); given <paramref name="flag"/> (e.g. <c>--socket</c>), the line names that command-line flag
    /// instead of the variable.
    /// </summary>
    internal static string? DescribeSocketPath(string path, string? flag = null)
    {
        var failures = new List<string>();
        CheckSocketPath(path, failures, flag is null ? DecnetBusVariables.Socket + "=" : $"{flag} ");
        return failures.Count == 0 ? null : string.Join("; ", failures);
    }

    /// <summary>Adds what makes <paramref name="path"/> unusable as a UNIX socket's path to <paramref name="failures"/> (also for transports handed options in code).</summary>
    /// <param name="path">The path.</param>
    /// <param name="failures">Where the messages go.</param>
    /// <param name="name">What the messages call the value, up to its quoted text: the variable by default.</param>
    internal static void CheckSocketPath(string? path, List<string> failures, string name = DecnetBusVariables.Socket + "=")
    {
        if (string.IsNullOrEmpty(path))
        {
            failures.Add($"{name}'' is empty; use a socket path such as /run/decnet/bus.sock");
            return;
        }

        var bytes = Encoding.UTF8.GetByteCount(path);
        if (bytes > DecnetBusOptions.MaxSocketPathBytes)
        {
            failures.Add($"{name}'{Topics.Printable(path)}' is {bytes} bytes; a UNIX socket path holds at most {DecnetBusOptions.MaxSocketPathBytes} bytes");
        }

        if (path.Contains('\0', StringComparison.Ordinal))
        {
            failures.Add($"{name}'{Topics.Printable(path)}' contains a NUL character; use a plain file path");
        }
    }

    /// <summary>A period that runs on a <see cref="PeriodicTimer"/>, which throws for one under 1 ms (see <see cref="IsHeartbeatInRange"/>).</summary>
    private static void Period(List<string> failures, string variable, TimeSpan value)
    {
        if (!IsHeartbeatInRange(value))
        {
            failures.Add($"{variable}='{value.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}' is out of range; use {HeartbeatRange}");
        }
    }

    private static void Seconds(List<string> failures, string variable, TimeSpan value, bool allowZero)
    {
        if (value < TimeSpan.Zero || (!allowZero && value == TimeSpan.Zero) || value > TimeSpan.FromSeconds(MaxHeartbeatSeconds))
        {
            var allowed = allowZero ? $"0 to {MaxHeartbeatSeconds} seconds (0 disables)" : $"more than 0 and at most {MaxHeartbeatSeconds} seconds";
            failures.Add($"{variable}='{value.TotalSeconds}' is out of range; use {allowed}");
        }
    }

    /// <summary>
    /// The total must hold one connection's queue. When the queue bytes are unset and follow a frame limit above their
    /// default, the line names the frame variable: raising it is what raised the minimum, not a queue setting.
    /// </summary>
    private static void TotalQueueBytes(List<string> failures, DecnetBusOptions options)
    {
        if (options.MaxTotalQueueBytes >= options.MaxQueueBytes)
        {
            return;
        }

        var line = $"{DecnetBusVariables.MaxTotalQueueBytes}='{options.MaxTotalQueueBytes}' is out of range; use an integer of at least {options.MaxQueueBytes}";
        failures.Add(options.MaxQueueBytesConfigured || options.MaxQueueBytes <= DecnetBusOptions.DefaultMaxQueueBytes
            ? line
            : $"{line} (one connection's queue: {DecnetBusVariables.MaxQueueBytes}, unset, follows {DecnetBusVariables.MaxFrameBytes}='{options.MaxFrameBytes}')");
    }

    private static void Range(List<string> failures, string variable, long value, long min, long max)
    {
        if (value < min || value > max)
        {
            var allowed = max is int.MaxValue or long.MaxValue ? $"an integer of at least {min}" : $"an integer from {min} to {max}";
            failures.Add($"{variable}='{value}' is out of range; use {allowed}");
        }
    }
}
