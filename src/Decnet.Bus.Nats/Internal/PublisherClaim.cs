using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using NATS.Client.Core;

namespace Decnet.Bus.Nats.Internal;

/// <summary>
/// The publisher identity a NATS publish carries in its headers. Unlike the UNIX transport, where the broker reads
/// the peer's credentials from the kernel, nothing verifies these values across hosts: they are what the publisher
/// says about itself, hence the <c>Claimed</c> header names, and <see cref="BusEvent.Publisher"/> stays null.
/// </summary>
internal static partial class PublisherClaim
{
    /// <summary>Header with <c>pid uid gid</c> of the publishing process, as it claims them.</summary>
    public const string IdentityHeader = "Decnet-Claimed-Publisher";

    /// <summary>Header with the publishing host's name, as it claims it.</summary>
    public const string HostHeader = "Decnet-Claimed-Host";

    public static readonly string Identity = string.Create(CultureInfo.InvariantCulture, $"pid={Environment.ProcessId} uid={GetEffectiveUserId()} gid={GetEffectiveGroupId()}");

    public static readonly string Host = Ascii(Environment.MachineName);

    /// <summary>A fresh header set (the client forbids sharing one across concurrent publishes).</summary>
    public static NatsHeaders NewHeaders() => new() { [IdentityHeader] = Identity, [HostHeader] = Host };

    /// <summary>Header values must be visible ASCII: anything else becomes '?'.</summary>
    private static string Ascii(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            builder.Append(c is > ' ' and < (char)0x7f ? c : '?');
        }

        return builder.Length == 0 ? "?" : builder.ToString();
    }

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();

    [LibraryImport("libc", EntryPoint = "getegid")]
    private static partial uint GetEffectiveGroupId();
}
