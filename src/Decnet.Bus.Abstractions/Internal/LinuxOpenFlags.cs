using System.Runtime.InteropServices;

namespace Decnet.Bus.Internal;

/// <summary>
/// The open(2) flags this project's native opens use whose values differ between Linux architectures
/// (arch/*/include/uapi/asm/fcntl.h): ARM, ARM64 and PowerPC number O_DIRECTORY and O_NOFOLLOW apart from the generic
/// values. A wrong value is silently another flag (0x20000 is O_LARGEFILE on ARM64), so every such open takes its flags
/// from here, one table instead of a copy per assembly. The rest of the native layer (SO_PEERCRED, SIOCOUTQ, the byte
/// order of statx and ucred) is written for x64 and ARM64, the architectures the packages are built and tested for.
/// </summary>
internal static class LinuxOpenFlags
{
    /// <summary>O_NOCTTY (0400): the same on x86, x64, ARM, ARM64, PowerPC and RISC-V.</summary>
    public const int NoControllingTerminal = 0x100;

    /// <summary>O_NONBLOCK (04000): the same on x86, x64, ARM, ARM64, PowerPC and RISC-V.</summary>
    public const int NonBlocking = 0x800;

    /// <summary>O_NOFOLLOW of this process's architecture.</summary>
    public static readonly int NoFollow = NoFollowOn(RuntimeInformation.ProcessArchitecture);

    /// <summary>O_DIRECTORY of this process's architecture.</summary>
    public static readonly int Directory = DirectoryOn(RuntimeInformation.ProcessArchitecture);

    /// <summary>O_NOFOLLOW on <paramref name="architecture"/>: 0100000 on ARM, ARM64, PowerPC; else 0400000.</summary>
    public static int NoFollowOn(Architecture architecture) => UsesArmNumbers(architecture) ? 0x8000 : 0x20000;

    /// <summary>O_DIRECTORY on <paramref name="architecture"/>: 040000 on ARM, ARM64, PowerPC; else 0200000.</summary>
    public static int DirectoryOn(Architecture architecture) => UsesArmNumbers(architecture) ? 0x4000 : 0x10000;

    private static bool UsesArmNumbers(Architecture architecture)
        => architecture is Architecture.Arm or Architecture.Arm64 or Architecture.Armv6 or Architecture.Ppc64le;
}
