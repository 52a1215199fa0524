using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Decnet.Bus.Internal;

/// <summary>
/// statx(2), the project's one reader of file status (the broker's socket and directory checks, the default socket
/// directory's trust, the kind of a file an option names, the mutation emitter's log file): its struct layout is the
/// same on every Linux architecture, unlike struct stat's.
/// </summary>
internal static unsafe partial class Statx
{
    /// <summary>AT_FDCWD: a path relative to the working directory.</summary>
    public const int AtFdCwd = -100;

    /// <summary>AT_SYMLINK_NOFOLLOW: a final symlink is reported, not followed.</summary>
    public const int AtSymlinkNoFollow = 0x100;

    /// <summary>AT_EMPTY_PATH: with an empty path, the descriptor itself.</summary>
    public const int AtEmptyPath = 0x1000;

    // STATX_TYPE | STATX_MODE | STATX_UID | STATX_GID | STATX_INO | STATX_SIZE, and where struct statx keeps them.
    private const uint _mask = 0x1 | 0x2 | 0x8 | 0x10 | 0x100 | 0x200;
    private const int _size = 256;
    private const int _uidOffset = 20;
    private const int _gidOffset = 24;
    private const int _modeOffset = 28;
    private const int _inodeOffset = 32;
    private const int _sizeOffset = 40;

    /// <summary>
    /// The status of <paramref name="path"/> relative to <paramref name="dirFd"/> (of the descriptor itself when the
    /// path is empty: AT_EMPTY_PATH is then added); 0, or the errno with <paramref name="status"/> default.
    /// </summary>
    /// <exception cref="DllNotFoundException">No libc.</exception>
    /// <exception cref="EntryPointNotFoundException">A libc without statx.</exception>
    public static int Read(int dirFd, string path, int flags, out FileStatus status)
    {
        var buffer = stackalloc byte[_size];
        if (Call(dirFd, path, path.Length == 0 ? flags | AtEmptyPath : flags, _mask, buffer) != 0)
        {
            status = default;
            return Marshal.GetLastPInvokeError();
        }

        var span = new ReadOnlySpan<byte>(buffer, _size);
        status = new FileStatus(
            BinaryPrimitives.ReadUInt16LittleEndian(span[_modeOffset..]),
            BinaryPrimitives.ReadUInt32LittleEndian(span[_uidOffset..]),
            BinaryPrimitives.ReadUInt32LittleEndian(span[_gidOffset..]),
            BinaryPrimitives.ReadUInt64LittleEndian(span[_inodeOffset..]),
            (long)BinaryPrimitives.ReadUInt64LittleEndian(span[_sizeOffset..]));
        return 0;
    }

    /// <summary>The status of the file open as <paramref name="handle"/>; 0, or the errno.</summary>
    /// <exception cref="ObjectDisposedException">The handle is closed.</exception>
    public static int Read(SafeHandle handle, out FileStatus status)
    {
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return Read((int)handle.DangerousGetHandle(), string.Empty, 0, out status);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Call(int dirFd, string path, int flags, uint mask, byte* statxBuffer);
}

/// <summary>What <see cref="Statx.Read(int, string, int, out FileStatus)"/> reads: the mode (type and permission bits),
/// owner, group, inode and size in bytes.</summary>
internal readonly record struct FileStatus(ushort Mode, uint Uid, uint Gid, ulong Inode, long Size)
{
    /// <summary>The file type bits (S_IFMT): 0x8000 a regular file, 0x4000 a directory, 0xA000 a symlink, ….</summary>
    public int Type => Mode & 0xF000;

    /// <summary>The permission bits, set-id and sticky included.</summary>
    public uint Permissions => (uint)(Mode & 0xFFF);
}
