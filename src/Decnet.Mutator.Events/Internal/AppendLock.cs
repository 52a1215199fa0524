using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Decnet.Mutator.Events.Internal;

/// <summary>
/// The whole-file write lock emitters hold from the last-byte check to the end of their write: an open-file-description
/// lock (<c>F_OFD_SETLK</c>), not <c>flock</c>, because .NET readers of the log hold <c>flock(LOCK_SH)</c> for as long
/// as they keep it open. Never waited for in the kernel: tried again for at most <see cref="MaxWait"/>, then given up
/// (the caller still checks the last byte: docs/mutation-events.md). Closing the descriptor releases it.
/// </summary>
internal static class AppendLock
{
    /// <summary>An emitter holds the lock for one stat, one pread and one write; the bound only matters when a foreign
    /// process sits on the lock.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromMilliseconds(500);

    public static bool TryAcquire(SafeFileHandle handle)
    {
        // struct flock: l_type = F_WRLCK, l_whence = SEEK_SET, l_start = 0, l_len = 0 (to the end, growing), l_pid = 0.
        var request = new byte[LibC.FlockStructSize];
        BinaryPrimitives.WriteInt16LittleEndian(request, LibC.FWriteLock);
        var retry = new BoundedRetry(MaxWait);
        while (LibC.FcntlLock(handle, LibC.FOfdSetLock, request) != 0)
        {
            if (Marshal.GetLastPInvokeError() is not (LibC.EAgain or LibC.EAcces or LibC.EIntr) || !retry.Pause())
            {
                return false;
            }
        }

        return true;
    }
}
