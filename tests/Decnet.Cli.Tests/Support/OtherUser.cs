using System.Runtime.InteropServices;

namespace Decnet.Cli.Tests.Support;

/// <summary>
/// A second local account for tests that need a process of another uid: <c>nobody</c> (65534), switched to with
/// util-linux <c>setpriv</c>, which needs root. Root and setpriv are what <c>.ci/run</c> provides.
/// </summary>
internal static partial class OtherUser
{
    public const int Uid = 65534;
    public const int Gid = 65534;

    /// <summary>Why a second uid cannot be used here, or null when it can.</summary>
    public static string? Unavailable { get; } = Probe();

    /// <summary>The launcher that runs a command as <see cref="Uid"/>/<see cref="Gid"/> with no supplementary groups.</summary>
    public static IReadOnlyList<string> Launcher { get; } = ["setpriv", $"--reuid={Uid}", $"--regid={Gid}", "--clear-groups", "--"];

    /// <summary>A fresh directory owned by <see cref="Uid"/> with <paramref name="mode"/> (the other user's HOME or socket directory).</summary>
    public static DirectoryInfo CreateDirectory(UnixFileMode mode)
    {
        var directory = Directory.CreateTempSubdirectory("dou");
        if (Chown(directory.FullName, Uid, Gid) != 0)
        {
            throw new IOException($"chown {directory.FullName} failed: {Marshal.GetLastPInvokeError()}");
        }

        File.SetUnixFileMode(directory.FullName, mode);
        return directory;
    }

    private static string? Probe()
    {
        if (GetEuid() != 0)
        {
            return "needs root to run a process as a second uid (CI runs as root)";
        }

        return File.Exists("/usr/bin/setpriv") || File.Exists("/bin/setpriv") ? null : "needs util-linux setpriv";
    }

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEuid();

    [LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Chown(string path, int owner, int group);
}

/// <summary>
/// A fact that needs <see cref="OtherUser"/>: skipped with the reason on a developer machine without it, failed in CI
/// (<c>DECNET_REQUIRE_PEERS=1</c>) where it must run.
/// </summary>
public sealed class OtherUserFactAttribute : FactAttribute
{
    public OtherUserFactAttribute()
    {
        if (OtherUser.Unavailable is { } reason && Environment.GetEnvironmentVariable("DECNET_REQUIRE_PEERS") != "1")
        {
            Skip = reason;
        }
    }
}
