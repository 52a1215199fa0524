using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Decnet.Bus.Unix.Native;

/// <summary>
/// lstat-like inspection through statx(2), whose struct layout is the same on every Linux architecture (unlike
/// struct stat), so the broker can tell a stale socket from a file or symlink it must never delete.
/// </summary>
internal static class PathInspector
{
    internal const int StatxSize = 256;
    internal const int ModeOffset = 28;
    internal const int InodeOffset = 32;

    /// <summary>Returns what is at <paramref name="path"/> (not following a final symlink) and its inode.</summary>
    /// <exception cref="IOException">statx failed for a reason other than the path not existing.</exception>
    public static unsafe (PathKind Kind, ulong Inode) Inspect(string path)
    {
        var buffer = stackalloc byte[StatxSize];
        if (Libc.Statx(Libc.AtFdCwd, path, Libc.AtSymlinkNoFollow, Libc.StatxType | Libc.StatxIno, buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            const int ENOENT = 2;
            const int ENOTDIR = 20;
            if (errno is ENOENT or ENOTDIR)
            {
                return (PathKind.Missing, 0);
            }

            throw new IOException($"statx({path}) failed: {Marshal.GetPInvokeErrorMessage(errno)}");
        }

        var span = new ReadOnlySpan<byte>(buffer, StatxSize);
        var mode = BinaryPrimitives.ReadUInt16LittleEndian(span[ModeOffset..]);
        var inode = BinaryPrimitives.ReadUInt64LittleEndian(span[InodeOffset..]);
        var kind = (mode & 0xF000) switch
        {
            0xC000 => PathKind.Socket,
            0xA000 => PathKind.Symlink,
            0x8000 => PathKind.RegularFile,
            0x4000 => PathKind.Directory,
            _ => PathKind.Other,
        };
        return (kind, inode);
    }
}
