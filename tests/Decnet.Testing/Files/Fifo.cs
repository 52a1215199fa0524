using System.Runtime.InteropServices;

namespace Decnet.Testing;

/// <summary>Named pipes for tests of opens that must not wait for a writer (a FIFO where a file or directory was).</summary>
internal static class Fifo
{
    /// <summary>Creates a FIFO at <paramref name="path"/> (mode 0600).</summary>
    public static void Make(string path)
    {
        if (MakeFifo(path, 0b110_000_000) != 0)
        {
            throw new IOException($"mkfifo {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }
    }

    [DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int MakeFifo([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode);
}
