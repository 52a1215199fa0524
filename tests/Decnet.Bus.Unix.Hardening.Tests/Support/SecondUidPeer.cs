using System.Diagnostics;
using Decnet.Bus.Unix.Native;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Hardening.Tests.Support;

/// <summary>
/// A fact that connects as a second uid (<see cref="SecondUidPeer"/>): skipped with the reason where that cannot run
/// (not root, no setpriv or python3), failed instead when CI sets <c>DECNET_REQUIRE_PEERS=1</c>.
/// </summary>
public sealed class SecondUidFactAttribute : FactAttribute
{
    public SecondUidFactAttribute()
    {
        if (SecondUidPeer.Unavailable() is { } reason && Environment.GetEnvironmentVariable("DECNET_REQUIRE_PEERS") != "1")
        {
            Skip = reason;
        }
    }
}

/// <summary>A peer of another uid: Debian's python3 under <c>setpriv</c>, sending HELLO and reporting the reply.</summary>
internal static class SecondUidPeer
{
    private const string _script = """
        import socket, sys
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(sys.argv[1])
        s.sendall(bytes.fromhex(sys.argv[2]))
        data = b""
        while len(data) < 4096:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
            if len(data) >= 4 and len(data) >= 4 + int.from_bytes(data[:4], "big"):
                break
        print(data.hex())
        """;

    /// <summary>Why no second-uid peer can run here, or null when it can.</summary>
    public static string? Unavailable()
    {
        if (Libc.GetUid() != 0)
        {
            return "connecting as a second uid needs root";
        }

        return File.Exists("/usr/bin/setpriv") && File.Exists("/usr/bin/python3") ? null : "needs /usr/bin/setpriv and /usr/bin/python3";
    }

    /// <summary>Lets any uid reach the socket (test only): the directory traversable, the socket read-write.</summary>
    public static void OpenToEveryone(string socketPath)
    {
        var directory = Path.GetDirectoryName(socketPath)!;
        File.SetUnixFileMode(directory, File.GetUnixFileMode(directory) | UnixFileMode.OtherExecute);
        File.SetUnixFileMode(socketPath, File.GetUnixFileMode(socketPath) | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
    }

    /// <summary>Connects as <paramref name="uid"/>, sends HELLO and returns the kind of the broker's first frame.</summary>
    public static async Task<FrameKind> HandshakeAsync(string socketPath, int uid)
    {
        var info = new ProcessStartInfo("/usr/bin/setpriv") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { $"--reuid={uid}", $"--regid={uid}", "--clear-groups", "/usr/bin/python3", "-c", _script, socketPath, Convert.ToHexString(RawPeer.Hello(name: "other-uid")) })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("setpriv did not start");
        using var bound = new CancellationTokenSource(LiveBroker.Bound);
        var output = await process.StandardOutput.ReadToEndAsync(bound.Token);
        var error = await process.StandardError.ReadToEndAsync(bound.Token);
        await process.WaitForExitAsync(bound.Token);
        Assert.True(process.ExitCode == 0, $"the second-uid peer failed: {error}");
        var sequence = new System.Buffers.ReadOnlySequence<byte>(Convert.FromHexString(output.Trim()));
        Assert.True(FrameReader.TryParse(ref sequence, 1 << 20, out var frame), $"no whole frame from the broker: {output}");
        return frame.Kind;
    }
}
