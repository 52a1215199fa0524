using System.Runtime.InteropServices;
using Decnet.Mutator.Events.Internal;

namespace Decnet.Mutator.Events.Tests.Emitting;

/// <summary>
/// O_NOFOLLOW is what keeps the emitter from writing through a symlink at the log path, and its value differs between
/// architectures (arch/*/include/uapi/asm/fcntl.h): a wrong one is silently another flag (0x20000 is O_LARGEFILE on
/// ARM and ARM64, O_DIRECT on PowerPC) and the link is followed. The symlink tests can only show the value of the
/// architecture they run on; this pins the others.
/// </summary>
public sealed class OpenFlagsTests
{
    [Theory]
    [InlineData(Architecture.X64, 0x20000)]
    [InlineData(Architecture.X86, 0x20000)]
    [InlineData(Architecture.Arm64, 0x8000)]
    [InlineData(Architecture.Arm, 0x8000)]
    [InlineData(Architecture.Ppc64le, 0x8000)]
    [InlineData(Architecture.RiscV64, 0x20000)]
    [InlineData(Architecture.LoongArch64, 0x20000)]
    [InlineData(Architecture.S390x, 0x20000)]
    public void ONofollow_IsTheKernelsValue_ForEachArchitectureDotNetRunsOnLinux(Architecture architecture, int expected)
        => Assert.Equal(expected, LibC.ONofollowOn(architecture));

    [Fact]
    public void ONofollow_OfThisProcess_IsTheValueOfItsArchitecture()
        => Assert.Equal(LibC.ONofollowOn(RuntimeInformation.ProcessArchitecture), LibC.ONofollow);
}
