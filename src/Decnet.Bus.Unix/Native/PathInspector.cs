using System.Runtime.InteropServices;
using Decnet.Bus.Internal;

namespace Decnet.Bus.Unix.Native;

/// <summary>
/// lstat-like inspection through statx(2) (<see cref="Statx"/>), so the broker can tell a stale socket from a file or
/// symlink it must never delete.
/// </summary>
internal static class PathInspector
{
    /// <summary>Returns what is at <paramref name="path"/> (not following a final symlink) and its inode.</summary>
    /// <exception cref="IOException">statx failed for a reason other than the path not existing.</exception>
    public static (PathKind Kind, ulong Inode) Inspect(string path)
    {
        var status = Status(Libc.AtFdCwd, path, Libc.AtSymlinkNoFollow);
        return (status.Kind, status.Inode);
    }

    /// <summary>
    /// statx of <paramref name="name"/> relative to the directory <paramref name="dirFd"/> (or of the descriptor itself
    /// when <paramref name="name"/> is empty); a final symlink is not followed.
    /// </summary>
    /// <exception cref="IOException">statx failed for a reason other than the path not existing.</exception>
    public static PathStatus Status(int dirFd, string name, int flags = Libc.AtSymlinkNoFollow)
    {
        var errno = Statx.Read(dirFd, name, flags, out var status);
        if (errno != 0)
        {
            const int ENOENT = 2;
            const int ENOTDIR = 20;
            if (errno is ENOENT or ENOTDIR)
            {
                return default;
            }

            throw new IOException($"statx({name}) failed: {Marshal.GetPInvokeErrorMessage(errno)}");
        }

        var kind = status.Type switch
        {
            0xC000 => PathKind.Socket,
            0xA000 => PathKind.Symlink,
            0x8000 => PathKind.RegularFile,
            0x4000 => PathKind.Directory,
            _ => PathKind.Other,
        };
        return new PathStatus(kind, status.Inode, status.Permissions, status.Uid, status.Gid);
    }
}
