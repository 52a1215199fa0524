using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Decnet.Mutator.Events.Internal;

/// <summary>
/// One <c>write(2)</c>: returns the bytes written, or -1 with the errno in <see cref="Marshal.GetLastPInvokeError"/>.
/// A seam so tests can cut writes short the way a full disk does.
/// </summary>
internal interface IDescriptorWriter
{
    nint Write(SafeFileHandle file, ReadOnlySpan<byte> bytes);
}
