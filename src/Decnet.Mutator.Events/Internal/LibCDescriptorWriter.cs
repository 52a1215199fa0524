using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Decnet.Mutator.Events.Internal;

/// <summary>The real <c>write(2)</c>, retried on EINTR only (never to complete a short write).</summary>
internal sealed class LibCDescriptorWriter : IDescriptorWriter
{
    public static LibCDescriptorWriter Instance { get; } = new();

    public nint Write(SafeFileHandle file, ReadOnlySpan<byte> bytes)
    {
        nint written;
        do
        {
            written = LibC.Write(file, ref MemoryMarshal.GetReference(bytes), bytes.Length);
        }
        while (written < 0 && Marshal.GetLastPInvokeError() == LibC.EIntr);

        return written;
    }
}
