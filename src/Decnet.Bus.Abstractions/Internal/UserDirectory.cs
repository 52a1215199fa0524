using System.Runtime.InteropServices;

namespace Decnet.Bus.Internal;

/// <summary>
/// Whether a directory may hold the default socket: no other user can create entries in it, so nobody else can claim
/// the socket's directory first and pose as the broker (docs/operations.md, "Where the socket is"). Reads owner and
/// mode with statx(2) (<see cref="Statx"/>).
/// </summary>
internal static partial class UserDirectory
{
    private const int _directoryType = 0x4000;
    private const uint _groupOrOthersWrite = 0b000_010_010;
    private const uint _permissionMask = 0b111_111_111_111;
    private const uint _privateMode = 0b111_000_000;

    /// <summary>
    /// A home directory: a directory owned by this user or root that neither its group nor others may write (sticky or
    /// not: in a sticky shared directory another user can still create <c>.decnet</c> first; a group member, or a POSIX
    /// ACL whose mask shows as group write, too), as sshd's StrictModes holds homes. A symlink to one is followed.
    /// </summary>
    public static bool IsHome(string path)
        => Status(path, follow: true) is { } s && (s.Uid == GetEuid() || s.Uid == 0) && (s.Mode & _groupOrOthersWrite) == 0;

    /// <summary>An XDG runtime directory as the specification requires it: a directory (not a link) owned by this user, mode 0700.</summary>
    public static bool IsPrivateRuntime(string path)
        => Status(path, follow: false) is { } s && s.Uid == GetEuid() && (s.Mode & _permissionMask) == _privateMode;

    private static (uint Uid, uint Mode)? Status(string path, bool follow)
    {
        FileStatus status;
        try
        {
            if (Statx.Read(Statx.AtFdCwd, path, follow ? 0 : Statx.AtSymlinkNoFollow, out status) != 0)
            {
                return null;
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // No Linux libc (or one without statx): nothing is known about the directory, so it is not trusted.
            return null;
        }

        return status.Type == _directoryType ? (status.Uid, status.Permissions) : null;
    }

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEuid();
}
