using System.Runtime.InteropServices;
using Decnet.Bus.Internal;

namespace Decnet.Bus.Abstractions.Tests.Internal;

/// <summary>
/// O_NOFOLLOW keeps the emitter from writing through a symlink at the log path, and O_DIRECTORY | O_NOFOLLOW the
/// broker from opening anything but its own socket directory; their values differ between architectures
/// (arch/*/include/uapi/asm/fcntl.h), and a wrong one is silently another flag (0x20000 is O_LARGEFILE on ARM and
/// ARM64, O_DIRECT on PowerPC), so the check is not made. The symlink tests can only show the values of the
/// architecture they run on; this pins the table.
/// </summary>
public sealed class LinuxOpenFlagsTests
{
    [Theory]
    [InlineData(Architecture.X64, 0x20000, 0x10000)]
    [InlineData(Architecture.X86, 0x20000, 0x10000)]
    [InlineData(Architecture.RiscV64, 0x20000, 0x10000)]
    [InlineData(Architecture.LoongArch64, 0x20000, 0x10000)]
    [InlineData(Architecture.S390x, 0x20000, 0x10000)]
    [InlineData(Architecture.Arm64, 0x8000, 0x4000)]
    [InlineData(Architecture.Arm, 0x8000, 0x4000)]
    [InlineData(Architecture.Armv6, 0x8000, 0x4000)]
    [InlineData(Architecture.Ppc64le, 0x8000, 0x4000)]
    public void NoFollowAndDirectory_AreTheKernelsValues(Architecture architecture, int noFollow, int directory)
    {
        Assert.Equal(noFollow, LinuxOpenFlags.NoFollowOn(architecture));
        Assert.Equal(directory, LinuxOpenFlags.DirectoryOn(architecture));
    }
}
