using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Decnet.Testing;

/// <summary>
/// A pseudoterminal pair: the master is held open (a slave whose master is closed cannot be opened) and the slave's
/// path (<c>/dev/pts/N</c>) is what a test hands to the code under test. The master is opened with O_NOCTTY, so the
/// test host never takes it as its controlling terminal.
/// </summary>
internal sealed class Pseudoterminal : IDisposable
{
    private const int _oRdwr = 0x2;
    private const int _oNoctty = 0x100;

    private readonly SafeFileHandle _master;

    private Pseudoterminal(SafeFileHandle master, string slavePath)
    {
        _master = master;
        SlavePath = slavePath;
    }

    public string SlavePath { get; }

    public static Pseudoterminal Open()
    {
        var fd = PosixOpenpt(_oRdwr | _oNoctty);
        if (fd < 0)
        {
            throw Failure("posix_openpt");
        }

        var master = new SafeFileHandle(fd, ownsHandle: true);
        var name = new byte[256];
        if (GrantPt(master) != 0 || UnlockPt(master) != 0)
        {
            var failure = Failure("grantpt/unlockpt");
            master.Dispose();
            throw failure;
        }

        // ptsname_r returns its error number instead of setting errno.
        if (PtsNameR(master, name, name.Length) is var error and not 0)
        {
            master.Dispose();
            throw new IOException($"ptsname_r: {Marshal.GetPInvokeErrorMessage(error)}");
        }

        return new Pseudoterminal(master, Encoding.UTF8.GetString(name, 0, Array.IndexOf(name, (byte)0)));
    }

    public void Dispose() => _master.Dispose();

    /// <summary>
    /// Whether process <paramref name="pid"/> leads its session, and its controlling terminal's device number
    /// (<c>tty_nr</c>, 0 for none), from <c>/proc/PID/stat</c>.
    /// </summary>
    public static (bool SessionLeader, long TerminalDevice) ControllingTerminalOf(int pid)
    {
        // Fields after the parenthesised command name (which may hold spaces): state, ppid, pgrp, session, tty_nr.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (fields[3] == pid.ToString(System.Globalization.CultureInfo.InvariantCulture), long.Parse(fields[4], System.Globalization.CultureInfo.InvariantCulture));
    }

    private static IOException Failure(string call)
        => new($"{call}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");

    [DllImport("libc", EntryPoint = "posix_openpt", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int PosixOpenpt(int flags);

    [DllImport("libc", EntryPoint = "grantpt", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int GrantPt(SafeFileHandle master);

    [DllImport("libc", EntryPoint = "unlockpt", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int UnlockPt(SafeFileHandle master);

    /// <summary>ptsname_r returns the error number itself (0 on success), not -1 with errno.</summary>
    [DllImport("libc", EntryPoint = "ptsname_r", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int PtsNameR(SafeFileHandle master, byte[] buffer, nint length);
}
