using Decnet.Bus.Unix.Native;

namespace Decnet.Bus.Unix.Hardening.Tests.Support;

/// <summary>
/// A fact that needs root (giving a file to a group the user is not in): skipped with the reason on a developer
/// machine, failed instead when CI sets <c>DECNET_REQUIRE_PEERS=1</c>, like <see cref="SecondUidFactAttribute"/>.
/// </summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (Libc.GetEuid() != 0 && Environment.GetEnvironmentVariable("DECNET_REQUIRE_PEERS") != "1")
        {
            Skip = "needs root to give the socket to a group the user is not in (CI runs as root)";
        }
    }
}
