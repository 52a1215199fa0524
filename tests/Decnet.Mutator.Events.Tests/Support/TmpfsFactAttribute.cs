namespace Decnet.Mutator.Events.Tests.Support;

/// <summary>
/// A fact that mounts a <see cref="TinyTmpfs"/> (a real full disk). Skipped with the reason where mounting is not
/// permitted (not root, no CAP_SYS_ADMIN); CI runs as root and sets <c>DECNET_REQUIRE_PEERS=1</c>, and then the test
/// runs and fails instead of skipping.
/// </summary>
public sealed class TmpfsFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> _mountError = new(Probe);

    public TmpfsFactAttribute()
    {
        if (_mountError.Value is { } error && Environment.GetEnvironmentVariable("DECNET_REQUIRE_PEERS") != "1")
        {
            Skip = $"cannot mount a tiny tmpfs here (needs root or CAP_SYS_ADMIN): {error}";
        }
    }

    private static string? Probe()
    {
        try
        {
            using var probe = TinyTmpfs.Mount(1);
            return null;
        }
        catch (IOException ex)
        {
            return ex.Message;
        }
    }
}
