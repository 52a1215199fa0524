using System.Runtime.InteropServices;

namespace Decnet.Mutator.Events.Tests.Support;

/// <summary>
/// A tmpfs of a few pages mounted on a fresh directory, so a test fills a real file system and the kernel itself cuts
/// a write short with ENOSPC. Needs root (CAP_SYS_ADMIN); see <see cref="TmpfsFactAttribute"/> for the skip rule.
/// </summary>
internal sealed class TinyTmpfs : IDisposable
{
    /// <summary>tmpfs allocates whole pages; the tests size their files in these.</summary>
    public const int PageSize = 4096;

    private const string _fillerName = "filler";

    private TinyTmpfs(string path) => Path = path;

    public string Path { get; }

    /// <summary>The log of <see cref="MountWithLogFullBut"/>.</summary>
    public string LogFile => File("decnet.log");

    /// <summary>Mounts a tmpfs of <paramref name="pages"/> pages, or throws with the errno text.</summary>
    public static TinyTmpfs Mount(int pages)
    {
        var directory = Directory.CreateTempSubdirectory("decnet-tmpfs").FullName;
        if (TestLibc.Mount("tmpfs", directory, "tmpfs", 0, $"size={pages * PageSize},mode=0700") != 0)
        {
            var reason = Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());
            Directory.Delete(directory);
            throw new IOException($"mount -t tmpfs on {directory}: {reason}");
        }

        return new TinyTmpfs(directory);
    }

    /// <summary>
    /// Mounts two pages: one held by a filler file, the other by <see cref="LogFile"/>, whose lines of another program
    /// leave exactly <paramref name="bytesFree"/> bytes: a longer write is cut short there until <see cref="FreeFiller"/>.
    /// </summary>
    public static TinyTmpfs MountWithLogFullBut(int bytesFree)
    {
        var disk = Mount(pages: 2);
        System.IO.File.WriteAllBytes(disk.File(_fillerName), new byte[PageSize]);
        WriteLinesLeaving(disk.LogFile, bytesFree);
        return disk;
    }

    /// <summary>Gives a page back, as when an operator frees space on a full disk.</summary>
    public void FreeFiller() => System.IO.File.Delete(File(_fillerName));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>
    /// Writes whole lines of another program (valid RFC 5424, another MSGID) to <paramref name="path"/> so that exactly
    /// <paramref name="bytesFree"/> bytes of its first page stay free: the next longer write is cut short there.
    /// </summary>
    private static void WriteLinesLeaving(string path, int bytesFree)
    {
        const string Prefix = "<13>1 - filler other - other_msgid - ";
        const int LineLength = 100;
        var total = PageSize - bytesFree;
        var lines = new System.Text.StringBuilder(total);
        for (var left = total; left > 0;)
        {
            var length = left < 2 * LineLength ? left : LineLength;
            lines.Append(Prefix).Append('x', length - Prefix.Length - 1).Append('\n');
            left -= length;
        }

        System.IO.File.WriteAllText(path, lines.ToString());
    }

    public void Dispose()
    {
        _ = TestLibc.Unmount2(Path, TestLibc.MntDetach);
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover empty mount point must not fail a test.
        }
    }
}
