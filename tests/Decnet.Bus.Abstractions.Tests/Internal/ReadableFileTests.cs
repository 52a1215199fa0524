using System.Text;
using Decnet.Bus.Internal;

namespace Decnet.Bus.Abstractions.Tests.Internal;

/// <summary>
/// <see cref="ReadableFile.ReadAllText"/>, the one read of a file an option names: a regular file's text, bounded,
/// and anything else refused through the open descriptor without waiting on it.
/// </summary>
public sealed class ReadableFileTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("decnet-readable-");

    [Fact]
    public void ARegularFile_IsReadWhole_WithoutItsBom()
    {
        var path = Path.Combine(_directory.FullName, "ca.pem");
        File.WriteAllBytes(path, [.. Encoding.UTF8.Preamble, .. "-----BEGIN CERTIFICATE-----\n"u8]);

        Assert.Equal("-----BEGIN CERTIFICATE-----\n", ReadableFile.ReadAllText("V", path, 64));
    }

    [Fact]
    public void AFileAtTheLimit_IsRead_AndOneByteMoreIsRefused()
    {
        var path = Path.Combine(_directory.FullName, "big");
        File.WriteAllText(path, new string('a', 64));
        Assert.Equal(64, ReadableFile.ReadAllText("V", path, 64).Length);

        File.WriteAllText(path, new string('a', 65));
        var error = Assert.Throws<IOException>(() => ReadableFile.ReadAllText("V", path, 64));

        Assert.Equal($"V='{path}' is over 64 bytes; give the path of a readable regular file", error.Message);
    }

    [Fact]
    public void ASmallFile_UnderALargeLimit_IsReadIntoABufferOfItsSize_NotOfTheLimit()
    {
        // Read at every NATS connect and reconnect (three files per TLS handshake) with a 1 MiB limit.
        var path = Path.Combine(_directory.FullName, "cert.pem");
        File.WriteAllText(path, new string('a', 4096));
        ReadableFile.ReadAllText("V", path, 1024 * 1024);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var text = ReadableFile.ReadAllText("V", path, 1024 * 1024);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(4096, text.Length);
        Assert.True(allocated < 64 * 1024, $"{allocated} bytes allocated to read 4096");
    }

    [Fact]
    public void AFileWhoseSizeSaysZero_IsReadToItsEnd()
    {
        // /proc's files say size 0 and hold text: what is read follows the file, not the size statx gave.
        var text = ReadableFile.ReadAllText("V", "/proc/self/status", 1024 * 1024);

        Assert.Contains("Name:", text, StringComparison.Ordinal);
        Assert.Contains("VmRSS:", text, StringComparison.Ordinal);
    }

    [Fact]
    public void AFifo_IsRefusedAsSuch_WithoutWaitingForAWriter()
    {
        var path = Path.Combine(_directory.FullName, "creds");
        Fifo.Make(path);

        var error = Assert.Throws<IOException>(() => ReadableFile.ReadAllText("DECNET_BUS_NATS_CREDS", path, 64));

        Assert.Equal($"DECNET_BUS_NATS_CREDS='{path}' is a FIFO, not a regular file; give the path of a readable regular file", error.Message);
    }

    [Fact]
    public void ADirectory_AndAMissingFile_AreRefused_NamingWhy()
    {
        var directory = Assert.Throws<IOException>(() => ReadableFile.ReadAllText("V", _directory.FullName, 64));
        var missing = Assert.Throws<IOException>(() => ReadableFile.ReadAllText("V", Path.Combine(_directory.FullName, "none"), 64));

        Assert.Contains("is a directory, not a regular file", directory.Message, StringComparison.Ordinal);
        Assert.Contains("cannot be read (No such file or directory)", missing.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _directory.Delete(recursive: true);
}
