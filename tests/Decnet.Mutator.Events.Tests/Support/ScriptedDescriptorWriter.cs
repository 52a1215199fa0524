using System.Runtime.InteropServices;
using Decnet.Mutator.Events.Internal;
using Microsoft.Win32.SafeHandles;

namespace Decnet.Mutator.Events.Tests.Support;

/// <summary>
/// A <c>write(2)</c> that follows a script, then behaves like the real one: a full disk that cuts a line after N
/// bytes (really writing them) or fails with an errno, without needing a full file system.
/// </summary>
internal sealed class ScriptedDescriptorWriter(params ScriptedDescriptorWriter.Step[] script) : IDescriptorWriter
{
    private const int _eNoSpc = 28;

    private readonly Queue<Step> _script = new(script);

    /// <summary>One scripted call: write the first <see cref="Bytes"/> bytes, fail with <see cref="Errno"/>, or throw <see cref="Thrown"/>.</summary>
    internal readonly record struct Step(int Bytes, int Errno, Exception? Thrown = null);

    public int Calls { get; private set; }

    public static Step Short(int bytes) => new(bytes, 0);

    public static Step DiskFull() => new(-1, _eNoSpc);

    /// <summary>What a P/Invoke throws when the C library lacks the function (musl, an old glibc) or is missing.</summary>
    public static Step Throws(Exception exception) => new(-1, 0, exception);

    public nint Write(SafeFileHandle file, ReadOnlySpan<byte> bytes)
    {
        Calls++;
        if (!_script.TryDequeue(out var step))
        {
            return LibCDescriptorWriter.Instance.Write(file, bytes);
        }

        if (step.Thrown is not null)
        {
            throw step.Thrown;
        }

        if (step.Bytes < 0)
        {
            Marshal.SetLastPInvokeError(step.Errno);
            return -1;
        }

        return LibCDescriptorWriter.Instance.Write(file, bytes[..step.Bytes]);
    }
}
