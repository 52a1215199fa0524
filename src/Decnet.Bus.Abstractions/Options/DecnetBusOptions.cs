using Decnet.Bus.Internal;

namespace Decnet.Bus;

/// <summary>
/// Bus settings, bound by <c>AddDecnetBus()</c> from the <c>DecnetBus</c> configuration section and the
/// <c>DECNET_BUS_*</c> environment variables (the variables win). See docs/Service-Bus.md for the table.
/// </summary>
/// <remarks>
/// Order of precedence, lowest first: the defaults below; the <c>DecnetBus</c> section (keys are the property names,
/// so a plain <c>Bind</c> reads it too); each <c>DECNET_BUS_*</c> variable, read from the configuration root (hosts add
/// environment variables without a prefix) or else from the process environment (<see cref="DecnetBusEnvironment"/>);
/// last, the <c>Action&lt;DecnetBusOptions&gt;</c> passed to <c>AddDecnetBus</c>, so code that pins a value (a test
/// forcing <c>fake</c>) is not overridden by a stray variable. A bad value fails host start with an
/// <c>OptionsValidationException</c> naming the variable.
/// </remarks>
public sealed class DecnetBusOptions
{
    /// <summary>Configuration section bound before the environment variables.</summary>
    public const string SectionName = "DecnetBus";

    /// <summary>Transport name of the UNIX-socket bus.</summary>
    public const string UnixTransport = "unix";

    /// <summary>Transport name of the in-process fake bus.</summary>
    public const string FakeTransport = "fake";

    /// <summary>Transport name of the NATS client (package <c>Decnet.Bus.Nats</c>, docs/cross-host.md).</summary>
    public const string NatsTransport = "nats";

    /// <summary>The system-wide run directory of the broker's socket (systemd's <c>RuntimeDirectory=decnet</c>).</summary>
    public const string SystemRunDirectory = "/run/decnet";

    private static readonly string _defaultClientName = DefaultClientName();

    /// <summary>The socket's file name inside the run directory.</summary>
    internal const string SocketFileName = "bus.sock";

    /// <summary>
    /// The default of <see cref="SendBufferBytes"/>: 512 KiB, granted as 1 MiB where <c>net.core.wmem_max</c> allows
    /// it; the smallest of the sizes measured that gave W1 its whole gain (docs/performance-history-3.md, part 14).
    /// </summary>
    public const int DefaultSendBufferBytes = 512 * 1024;

    /// <summary>The defaults of <see cref="MaxFrameBytes"/>, <see cref="MaxTopicBytes"/> and <see cref="MaxPatternTokens"/>, which FakeBus applies too.</summary>
    internal const int DefaultMaxFrameBytes = 1024 * 1024, DefaultMaxTopicBytes = 256, DefaultMaxPatternTokens = 32;

    /// <summary>
    /// The least default of <see cref="MaxQueueBytes"/>, raised to <see cref="MaxFrameBytes"/> when that is larger.
    /// </summary>
    internal const int DefaultMaxQueueBytes = 16 * 1024 * 1024;

    /// <summary>Longest socket path the kernel accepts, in UTF-8 bytes.</summary>
    public const int MaxSocketPathBytes = 107;

    private string? _socketPath;

    /// <summary><c>DECNET_BUS_ENABLED</c>: false gives <see cref="NullBus"/>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary><c>DECNET_BUS_TYPE</c>: <c>unix</c> (default), <c>nats</c> or <c>fake</c>.</summary>
    public string Type { get; set; } = UnixTransport;

    /// <summary>
    /// <c>DECNET_BUS_SOCKET</c>: the broker's socket path; defaults to <see cref="DefaultSocketPath()"/>, which is empty
    /// when no safe default exists (the broker then refuses to start, a client counts its publishes as dropped). At most
    /// <see cref="MaxSocketPathBytes"/> UTF-8 bytes (the kernel's <c>sun_path</c> holds 108 including the NUL).
    /// </summary>
    public string SocketPath
    {
        // Resolved at each read, never cached: building options touches no file system, and a client re-reads the
        // default at each reconnect (the default follows /run/decnet, which systemd may create after the client).
        get => _socketPath ?? (DefaultSocketPathSource ?? DefaultSocketPath)();
        set => _socketPath = value;
    }

    /// <summary>Whether <see cref="SocketPath"/> was set rather than left at its default.</summary>
    internal bool SocketPathConfigured => _socketPath is not null;

    /// <summary>Test seam: what an unset <see cref="SocketPath"/> resolves to instead of <see cref="DefaultSocketPath()"/>.</summary>
    internal Func<string>? DefaultSocketPathSource { get; set; }

    /// <summary>
    /// <c>DECNET_BUS_GROUP</c>: group that owns the socket; empty disables chown. A group set here (by the variable, the
    /// section or code) must exist or the broker does not start; the default <c>decnet</c> may be missing.
    /// </summary>
    public string Group
    {
        get;
        set
        {
            // The reflection binder writes every property back, key or no key: writing back what is there is not a
            // setting. The section key or the variable, even "decnet", is one (DecnetBusOptionsSetup marks it).
            GroupConfigured |= !string.Equals(field, value, StringComparison.Ordinal);
            field = value;
        }
    } = "decnet";

    /// <summary>Whether <see cref="Group"/> was set rather than left at its default.</summary>
    internal bool GroupConfigured { get; set; }

    /// <summary><c>DECNET_BUS_QUEUE_SIZE</c>: capacity of each subscription queue and broker connection queue, in events.</summary>
    public int QueueSize { get; set; } = SubscriptionOptions.DefaultQueueSize;

    /// <summary><c>DECNET_BUS_ECHO</c>: whether a client's own publishes reach its own subscriptions.</summary>
    public bool Echo { get; set; } = true;

    /// <summary><c>DECNET_BUS_HEARTBEAT_S</c>: heartbeat period (broker and workers); zero disables.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// <c>DECNET_BUS_KEEPALIVE_S</c>: how long a client hears nothing from the broker before it sends PING; a broker
    /// that then stays silent two more intervals counts as hung and the client reconnects. Zero disables. A dead
    /// broker closes its sockets and is noticed at once; this only catches a hung one, so the default is long enough
    /// that a thousand idle clients cost the broker next to nothing.
    /// </summary>
    public TimeSpan KeepaliveInterval { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary><c>DECNET_BUS_CLIENT_NAME</c>: the name a client announces to the broker (shown by <c>decnet stats</c>).</summary>
    public string ClientName { get; set; } = _defaultClientName;

    /// <summary><c>DECNET_BUS_RECONNECT_MIN_MS</c>: first reconnect delay after losing the broker.</summary>
    public TimeSpan ReconnectMinDelay { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary><c>DECNET_BUS_RECONNECT_MAX_MS</c>: cap of the exponential reconnect backoff.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary><c>DECNET_BUS_MAX_FRAME_BYTES</c>: largest frame the broker accepts.</summary>
    public int MaxFrameBytes { get; set; } = DefaultMaxFrameBytes;

    /// <summary><c>DECNET_BUS_MAX_TOPIC_BYTES</c>: longest topic or pattern, in UTF-8 bytes.</summary>
    public int MaxTopicBytes { get; set; } = DefaultMaxTopicBytes;

    /// <summary><c>DECNET_BUS_MAX_SUBSCRIPTIONS</c>: subscriptions one connection may hold.</summary>
    public int MaxSubscriptionsPerConnection { get; set; } = 1024;

    /// <summary><c>DECNET_BUS_MAX_CONNECTIONS</c>: concurrent client connections the broker accepts.</summary>
    public int MaxConnections { get; set; } = 1024;

    /// <summary>
    /// <c>DECNET_BUS_MAX_CONNECTIONS_PER_UID</c>: connections one uid (from SO_PEERCRED) may hold, handshaking or not.
    /// A quarter of <see cref="MaxConnections"/> by default, so one permitted user that leaks connections cannot lock
    /// every other service out (docs/Service-Bus.md, "Broker limits").
    /// </summary>
    public int MaxConnectionsPerUid { get; set; } = 256;

    /// <summary>
    /// <c>DECNET_BUS_MAX_HANDSHAKING</c>: connections that have not sent HELLO yet; beyond it new ones are refused, so
    /// silent connections cannot fill the broker while they wait out the handshake timeout.
    /// </summary>
    public int MaxHandshakingConnections { get; set; } = 64;

    /// <summary>
    /// <c>DECNET_BUS_MAX_TOTAL_QUEUE_BYTES</c>: outbound backlog of all connections together, in bytes; beyond it the
    /// connection holding the most drops its oldest events (counted as dropped).
    /// </summary>
    public long MaxTotalQueueBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>
    /// <c>DECNET_BUS_SEND_BUFFER_BYTES</c>: the kernel send buffer (SO_SNDBUF) each connection asks for, the broker's
    /// for every client and a .NET client's for its own; 0 keeps the kernel's default (<c>net.core.wmem_default</c>).
    /// Linux caps the request at <c>net.core.wmem_max</c> and grants twice that (the broker logs it at start when the
    /// cap applies). Larger buffers let a busy stream move in fewer, larger writes and reads (docs/performance-history-3.md,
    /// part 14); a client that reads less than it is sent holds up to the granted size of the broker's kernel memory.
    /// </summary>
    public int SendBufferBytes { get; set; } = DefaultSendBufferBytes;

    /// <summary><c>DECNET_BUS_MAX_PATTERN_TOKENS</c>: most dot-separated tokens in a subscription pattern.</summary>
    public int MaxPatternTokens { get; set; } = DefaultMaxPatternTokens;

    /// <summary>
    /// <c>DECNET_BUS_MAX_QUEUE_BYTES</c>: outbound backlog per broker connection, in bytes; beyond it the oldest events
    /// go. With the NATS transport: the publishes a client queues while the server is slow; beyond it the newest go.
    /// Unset, 16 MiB or <see cref="MaxFrameBytes"/> if larger: a queue must hold one frame, so raising the frame limit
    /// alone must not stop the host (docs/Service-Bus.md, "Options").
    /// </summary>
    public int MaxQueueBytes
    {
        get => MaxQueueBytesConfigured ? field : Math.Clamp(MaxFrameBytes, DefaultMaxQueueBytes, DecnetBusOptionsValidator.MaxFrameBytesLimit);
        set
        {
            // Writing back the value it follows (the reflection binder writes every property, key or no key) leaves it
            // following; the section key or the variable is a setting whatever its value (DecnetBusOptionsSetup).
            MaxQueueBytesConfigured |= value != MaxQueueBytes;
            field = value;
        }
    }

    /// <summary>Whether <see cref="MaxQueueBytes"/> was set rather than left to follow the frame limit.</summary>
    internal bool MaxQueueBytesConfigured { get; set; }

    /// <summary><c>DECNET_BUS_HANDSHAKE_TIMEOUT_S</c>: how long the broker waits for a new connection's HELLO.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// <c>DECNET_BUS_IDLE_TIMEOUT_S</c>: a connection that sends no complete frame (not even PING) for this long is
    /// disconnected; zero disables. Generous by default because clients ping only every few seconds.
    /// </summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// <c>DECNET_BUS_STALL_TIMEOUT_S</c>: a connection whose socket accepts none of the broker's pending bytes for this
    /// long (it stopped reading) is disconnected; zero disables. With the NATS transport: how long a server that reads
    /// nothing on an open connection may hold publishers before they drop and count instead (zero: no limit).
    /// </summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// <c>DECNET_BUS_CATCH_UP_WAIT_MS</c>: how long, at most, the loop that fills a queue (the broker reading a
    /// publisher, a client reading the broker) waits after a read for a consumer whose queue is more than half full to
    /// work it down to a quarter, instead of dropping its oldest events. A consumer that does not catch up in time is
    /// not waited for again until it has; zero disables (docs/Service-Bus.md, "Catch-up waits").
    /// </summary>
    public TimeSpan CatchUpWait { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// <c>DECNET_BUS_ALLOW_UIDS</c>: comma-separated uids the broker admits (from SO_PEERCRED); empty admits anyone who
    /// can open the socket. A peer is admitted when it matches this list or <see cref="AllowGids"/>.
    /// </summary>
    public IList<int> AllowUids { get; } = [];

    /// <summary><c>DECNET_BUS_ALLOW_GIDS</c>: comma-separated primary gids the broker admits; see <see cref="AllowUids"/>.</summary>
    public IList<int> AllowGids { get; } = [];

    /// <summary>
    /// <c>DECNET_BUS_ACL_FILE</c>: per-topic publish/subscribe rules by uid/gid (format: deploy/bus-acl.example); empty
    /// means no rules (allow-all). Read once when the broker starts; a malformed file stops the start.
    /// </summary>
    public string AclFile { get; set; } = string.Empty;

    /// <summary>The <c>DECNET_BUS_NATS_*</c> settings, used when <see cref="Type"/> is <c>nats</c> (docs/cross-host.md).</summary>
    public DecnetBusNatsOptions Nats { get; } = new();

    /// <summary>
    /// <c>DECNET_BUS_BROKER_UID</c>: a uid a client also accepts as the broker's. A client checks the broker's uid
    /// (SO_PEERCRED) after connecting and talks only to root, its own uid, the owner of the socket's directory, or this
    /// uid; null (the default) adds none.
    /// </summary>
    public int? BrokerUid { get; set; }

    /// <summary>Values that could not be parsed while binding; reported at host start by the options validator.</summary>
    internal List<string> BindingErrors { get; } = [];

    /// <summary>
    /// The default socket path, first match wins (docs/operations.md, "Where the socket is"):
    /// <c>/run/decnet/bus.sock</c> when <c>/run/decnet</c> exists, whether or not this process may write there (the
    /// shipped unit makes it 0750, and a worker in group <c>decnet</c> only needs to connect); else
    /// <c>~/.decnet/bus.sock</c> when the home directory exists, belongs to this user or root and neither its group
    /// nor others may write it; else <c>$XDG_RUNTIME_DIR/decnet/bus.sock</c> when that variable is an absolute path to a directory of
    /// this user with mode 0700; else the empty string: no default. Never a shared directory such as /tmp, where another
    /// user could create the socket's directory first and, as its owner, be trusted as the broker. Only looks; never
    /// writes.
    /// </summary>
    public static string DefaultSocketPath()
        => DefaultSocketPath(SystemRunDirectory, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), Environment.GetEnvironmentVariable(RuntimeDirectoryVariable));

    /// <summary>The variable of the per-user runtime directory (XDG Base Directory specification).</summary>
    internal const string RuntimeDirectoryVariable = "XDG_RUNTIME_DIR";

    /// <summary>What a broker or client without a socket path says; names the variable that fixes it.</summary>
    internal const string NoSocketPathMessage = "no socket path: /run/decnet does not exist, the home directory is missing or writable by its group or others, and XDG_RUNTIME_DIR is not a private directory of this user; set DECNET_BUS_SOCKET (or --socket)";

    /// <summary>The rule of <see cref="DefaultSocketPath()"/> over a given run directory, home and runtime directory (tests use temp directories).</summary>
    internal static string DefaultSocketPath(string runDirectory, string? home, string? runtimeDirectory)
    {
        // The socket itself cannot exist without its directory, so the directory alone decides.
        if (Directory.Exists(runDirectory))
        {
            return Path.Combine(runDirectory, SocketFileName);
        }

        return UserSocketDirectory(home, runtimeDirectory) is { } directory ? Path.Combine(directory, SocketFileName) : string.Empty;
    }

    /// <summary>The per-user directory of the default socket, or null when there is none (see <see cref="DefaultSocketPath()"/>).</summary>
    internal static string? UserSocketDirectory()
        => UserSocketDirectory(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), Environment.GetEnvironmentVariable(RuntimeDirectoryVariable));

    private static string? UserSocketDirectory(string? home, string? runtimeDirectory)
    {
        // GetFolderPath returns "" for a home that does not exist (useradd --no-create-home, ProtectHome=true, nobody).
        if (!string.IsNullOrEmpty(home) && UserDirectory.IsHome(home))
        {
            return Path.Combine(home, ".decnet");
        }

        if (!string.IsNullOrEmpty(runtimeDirectory) && Path.IsPathFullyQualified(runtimeDirectory) && UserDirectory.IsPrivateRuntime(runtimeDirectory))
        {
            return Path.Combine(runtimeDirectory, "decnet");
        }

        return null;
    }

    /// <summary>
    /// Worked out once per process: <see cref="System.Diagnostics.Process.ProcessName"/> reads the stat file of every
    /// thread of the process, and a process with a connection (and a receive thread) per options object paid that per
    /// connection (docs/performance-history-2.md, part 10).
    /// </summary>
    private static string DefaultClientName()
    {
        try
        {
            using var process = System.Diagnostics.Process.GetCurrentProcess();
            return $"{process.ProcessName}-{Environment.ProcessId}";
        }
        catch (Exception ex) when (ex is InvalidOperationException or PlatformNotSupportedException or IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            // Worked out in the type's initializer: a throw here would make every options object unusable.
            return $"pid-{Environment.ProcessId}";
        }
    }
}
