namespace Decnet.Bus.Nats.Tests.Support;

/// <summary>
/// Marks a test class whose tests need a real nats-server. Without one they are reported as skipped with the install
/// hint, unless <c>DECNET_REQUIRE_PEERS=1</c> (CI), where they run and fail. See <see cref="PeerTestFramework"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresNatsServerAttribute : Attribute
{
    /// <summary>Why such tests are skipped on this machine, or null when they run.</summary>
    public static string? SkipReason =>
        NatsServer.Binary is null && Environment.GetEnvironmentVariable("DECNET_REQUIRE_PEERS") != "1"
            ? $"nats-server is not installed; {NatsServer.InstallHint}."
            : null;
}
