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
    internal const int UidOffset = 20;
    internal const int GidOffset = 24;
    internal const int ModeOffset = 28;
    internal const int InodeOffset = 32;
    private const uint _statxBasic = Libc.StatxType | Libc.StatxMode | Libc.StatxUid | Libc.StatxGid | Libc.StatxIno;

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
    public static unsafe PathStatus Status(int dirFd, string name, int flags = Libc.AtSymlinkNoFollow)
    {
        var buffer = stackalloc byte[StatxSize];
        if (name.Length == 0)
        {
            flags |= Libc.AtEmptyPath;
        }

        if (Libc.Statx(dirFd, name, flags, _statxBasic, buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            const int ENOENT = 2;
            const int ENOTDIR = 20;
            if (errno is ENOENT or ENOTDIR)
            {
                return default;
            }

            throw new IOException($"statx({name}) failed: {Marshal.GetPInvokeErrorMessage(errno)}");
        }

        var span = new ReadOnlySpan<byte>(buffer, StatxSize);
        var mode = BinaryPrimitives.ReadUInt16LittleEndian(span[ModeOffset..]);
        var kind = (mode & 0xF000) switch
        {
            0xC000 => PathKind.Socket,
            0xA000 => PathKind.Symlink,
            0x8000 => PathKind.RegularFile,
            0x4000 => PathKind.Directory,
            _ => PathKind.Other,
        };
        return new PathStatus(
            kind,
            BinaryPrimitives.ReadUInt64LittleEndian(span[InodeOffset..]),
            (uint)(mode & 0xFFF),
            BinaryPrimitives.ReadUInt32LittleEndian(span[UidOffset..]),
            BinaryPrimitives.ReadUInt32LittleEndian(span[GidOffset..]));
    }
}
