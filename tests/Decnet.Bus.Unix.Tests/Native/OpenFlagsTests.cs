using System.Runtime.InteropServices;
using Decnet.Bus.Unix.Native;

namespace Decnet.Bus.Unix.Tests.Native;

/// <summary>
/// O_DIRECTORY | O_NOFOLLOW keep the broker's open of its private socket directory from following a symlink or opening
/// anything but a directory, and their values differ between architectures (arch/*/include/uapi/asm/fcntl.h): a wrong
/// one is silently other flags (x86's 0x10000 | 0x20000 is O_LARGEFILE | O_DIRECT on PowerPC) and neither check is
/// made. The socket-directory tests can only show the value of the architecture they run on; this pins the others.
/// </summary>
public sealed class OpenFlagsTests
{
    [Theory]
    [InlineData(Architecture.X64, 0x10000 | 0x20000)]
    [InlineData(Architecture.X86, 0x10000 | 0x20000)]
    [InlineData(Architecture.RiscV64, 0x10000 | 0x20000)]
    [InlineData(Architecture.LoongArch64, 0x10000 | 0x20000)]
    [InlineData(Architecture.S390x, 0x10000 | 0x20000)]
    [InlineData(Architecture.Arm64, 0x4000 | 0x8000)]
    [InlineData(Architecture.Arm, 0x4000 | 0x8000)]
    [InlineData(Architecture.Armv6, 0x4000 | 0x8000)]
    [InlineData(Architecture.Ppc64le, 0x4000 | 0x8000)]
    public void ODirectoryNoFollow_IsTheKernelsValue_ForEachArchitectureDotNetRunsOnLinux(Architecture architecture, int expected)
        => Assert.Equal(expected, Libc.ODirectoryNoFollowOn(architecture));

    [Fact]
    public void ODirectoryNoFollow_OfThisProcess_IsTheValueOfItsArchitecture()
        => Assert.Equal(Libc.ODirectoryNoFollowOn(RuntimeInformation.ProcessArchitecture), Libc.ODirectoryNoFollow);
}
