namespace Decnet.Bus.Unix.Tests.Support;

/// <summary>A short private directory under /tmp for a test's socket (sun_path is limited to 107 bytes).</summary>
internal sealed class TempSocketDir : IDisposable
{
    public TempSocketDir() => Path = Directory.CreateTempSubdirectory("dnb").FullName;

    public string Path { get; }

    public string SocketPath => System.IO.Path.Combine(Path, "bus.sock");

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
