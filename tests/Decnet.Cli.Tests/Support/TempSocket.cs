namespace Decnet.Cli.Tests.Support;

/// <summary>A fresh short directory under /tmp for one socket (sun_path is limited to 107 bytes).</summary>
internal sealed class TempSocket : IDisposable
{
    public TempSocket()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("dcli");
        Path = System.IO.Path.Combine(Directory.FullName, "bus.sock");
    }

    public DirectoryInfo Directory { get; }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a broker that is still shutting down may hold the socket for a moment.
        }
    }
}
