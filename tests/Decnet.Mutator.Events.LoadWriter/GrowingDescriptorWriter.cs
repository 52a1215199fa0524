using Decnet.Mutator.Events.Internal;
using Microsoft.Win32.SafeHandles;

namespace Decnet.Mutator.Events.LoadWriter;

/// <summary>
/// The real <c>write(2)</c>, but before the first one the file at <paramref name="path"/> is grown to
/// <paramref name="size"/> bytes through a descriptor of its own: what a program that takes no append lock does between
/// the emitter's checks and its write. Growing it near RLIMIT_FSIZE makes the kernel cut the line short at the limit.
/// </summary>
internal sealed class GrowingDescriptorWriter(string path, long size) : IDescriptorWriter
{
    private bool _grown;

    public nint Write(SafeFileHandle file, ReadOnlySpan<byte> bytes)
    {
        if (!_grown)
        {
            _grown = true;
            using var other = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            other.SetLength(size);
        }

        return LibCDescriptorWriter.Instance.Write(file, bytes);
    }
}
