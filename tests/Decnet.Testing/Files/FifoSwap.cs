using System.Runtime.InteropServices;

namespace Decnet.Testing;

/// <summary>
/// A FIFO put where a file was, after the code under test checked the file: <see cref="Opened"/> completes if anything
/// opens the path for reading (its writer end, held open here, then opens), so a test can tell "read the path again"
/// from "used what it read before". Dispose releases the writer end whether or not a reader came.
/// </summary>
internal sealed class FifoSwap : IDisposable
{
    // O_RDONLY and O_WRONLY, O_NONBLOCK (Linux).
    private const int _readOnly = 0;
    private const int _writeOnly = 1;
    private const int _nonBlocking = 0x800;

    private readonly string _path;
    private readonly Task<int> _writer;

    private FifoSwap(string path)
    {
        _path = path;

        // A blocking open for writing returns only once a reader opens the FIFO: that return is the observation.
        _writer = Task.Factory.StartNew(() => Open(path, _writeOnly), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Completes once something opened the FIFO for reading.</summary>
    public Task Opened => _writer;

    /// <summary>Deletes the file at <paramref name="path"/> and makes a FIFO there.</summary>
    public static FifoSwap Replace(string path)
    {
        File.Delete(path);
        Fifo.Make(path);
        return new FifoSwap(path);
    }

    public void Dispose()
    {
        // A reader of our own (non-blocking, so it never waits) lets the writer's open return if no one else did.
        var reader = _writer.IsCompleted ? -1 : Open(_path, _readOnly | _nonBlocking);
        if (_writer.Wait(TimeSpan.FromSeconds(30)) && _writer.Result >= 0)
        {
            _ = Close(_writer.Result);
        }

        if (reader >= 0)
        {
            _ = Close(reader);
        }
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "close")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Close(int fd);
}
