using Decnet.Bus.Internal;

namespace Decnet.Bus;

/// <summary>
/// Checks the <c>DECNET_BUS_NATS_*</c> settings for <see cref="DecnetBusOptionsValidator"/>. Their syntax is checked on
/// every host (a typo fails start even before the transport is switched on); the files they name must be readable
/// regular files only when <c>DECNET_BUS_TYPE=nats</c>, or for <c>decnet bridge</c>, which always uses NATS, and with
/// <c>DECNET_BUS_TYPE=nats</c> <c>DECNET_BUS_MAX_TOPIC_BYTES</c> must fit a NATS subject. Secrets are never echoed in a
/// message.
/// </summary>
internal static class DecnetBusNatsValidation
{
    public static void Validate(DecnetBusOptions options, List<string> failures)
    {
        var nats = options.Nats;
        CheckUrls(nats, failures);

        var hasUser = nats.User.Length > 0;
        var hasPassword = nats.Password.Length > 0;
        if (hasUser != hasPassword)
        {
            failures.Add($"{(hasUser ? DecnetBusVariables.NatsPassword : DecnetBusVariables.NatsUser)} is empty but {(hasUser ? DecnetBusVariables.NatsUser : DecnetBusVariables.NatsPassword)} is set; set both for user/password authentication, or neither");
        }

        var methods = (nats.CredentialsFile.Length > 0 ? 1 : 0) + (hasUser ? 1 : 0) + (nats.Token.Length > 0 ? 1 : 0);
        if (methods > 1)
        {
            failures.Add($"more than one of {DecnetBusVariables.NatsCreds}, {DecnetBusVariables.NatsUser}/{DecnetBusVariables.NatsPassword} and {DecnetBusVariables.NatsToken} is set; choose one authentication method");
        }

        if ((nats.TlsCertFile.Length > 0) != (nats.TlsKeyFile.Length > 0))
        {
            failures.Add($"{DecnetBusVariables.NatsTlsCert} and {DecnetBusVariables.NatsTlsKey} must be set together for a client certificate");
        }

        if (string.Equals(options.Type, DecnetBusOptions.NatsTransport, StringComparison.OrdinalIgnoreCase))
        {
            CheckFiles(nats, failures);
            if (options.MaxTopicBytes > DecnetBusNatsOptions.MaxSubjectBytes)
            {
                failures.Add($"{DecnetBusVariables.MaxTopicBytes}='{options.MaxTopicBytes}' is more than a NATS server accepts in a subject; use at most {DecnetBusNatsOptions.MaxSubjectBytes} with {DecnetBusVariables.Type}={DecnetBusOptions.NatsTransport}");
            }
        }
    }

    /// <summary>
    /// The files the NATS settings name that do not exist, are no regular files or cannot be read, as one line
    /// (failures joined by <c>; </c>), or null. For a client that uses NATS whatever <c>DECNET_BUS_TYPE</c> says
    /// (<c>decnet bridge</c>).
    /// </summary>
    public static string? DescribeMissingFiles(DecnetBusNatsOptions nats)
    {
        var failures = new List<string>();
        CheckFiles(nats, failures);
        return failures.Count == 0 ? null : string.Join("; ", failures);
    }

    private static void CheckFiles(DecnetBusNatsOptions nats, List<string> failures)
    {
        CheckFile(DecnetBusVariables.NatsCreds, nats.CredentialsFile, failures);
        CheckFile(DecnetBusVariables.NatsTlsCa, nats.TlsCaFile, failures);
        CheckFile(DecnetBusVariables.NatsTlsCert, nats.TlsCertFile, failures);
        CheckFile(DecnetBusVariables.NatsTlsKey, nats.TlsKeyFile, failures);
    }

    /// <summary>
    /// What makes <paramref name="urls"/> (comma-separated), given as the command-line flag <paramref name="flag"/>
    /// (e.g. <c>--nats</c>), unusable as NATS server URLs, as one line naming the flag, or null.
    /// </summary>
    public static string? DescribeUrlsFlag(string urls, string flag)
    {
        var failures = new List<string>();
        CheckUrls(new DecnetBusNatsOptions { Url = urls }, failures, $"{flag} ");
        return failures.Count == 0 ? null : string.Join("; ", failures);
    }

    private static void CheckUrls(DecnetBusNatsOptions nats, List<string> failures, string name = DecnetBusVariables.NatsUrl + "=")
    {
        if (nats.Urls.Count == 0)
        {
            failures.Add($"{name}'' is empty; use a server URL such as {DecnetBusNatsOptions.DefaultUrl}");
            return;
        }

        foreach (var url in nats.Urls)
        {
            if (DescribeUrlError(url) is { } problem)
            {
                failures.Add($"{name}'{Topics.Printable(Redact(url))}' {problem}; use e.g. {DecnetBusNatsOptions.DefaultUrl} or tls://nats.example:4222");
            }
        }
    }

    private static string? DescribeUrlError(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return "is not a URL";
        }

        if (uri.Scheme is not ("nats" or "tls"))
        {
            return $"has scheme '{uri.Scheme}'; only nats:// and tls:// are supported";
        }

        if (string.IsNullOrEmpty(uri.Host))
        {
            return "has no host";
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return $"carries credentials; put them in {DecnetBusVariables.NatsUser}/{DecnetBusVariables.NatsPassword} or {DecnetBusVariables.NatsToken} instead";
        }

        return uri.AbsolutePath is "/" or "" ? null : "has a path; give scheme, host and port only";
    }

    /// <summary>Drops user information so a password typed into the URL never reaches a log.</summary>
    /// <remarks>
    /// Everything up to the last <c>@</c> goes but a leading <c>scheme://</c>, whatever comes before it: a URL typed
    /// without <c>//</c> (<c>user:pass@host</c>, <c>nats:user:pass@host</c>) is no URL to <see cref="Uri"/>, and a
    /// password typed unencoded may hold <c>@</c>, <c>/</c>, <c>?</c> or <c>#</c>, so the first <c>@</c> or the RFC
    /// 3986 end of the authority would show part of it. Hiding a scheme or a stray <c>@</c> in a path costs nothing:
    /// such a URL is refused anyway.
    /// </remarks>
    private static string Redact(string url)
    {
        var at = url.LastIndexOf('@');
        if (at < 0)
        {
            return url;
        }

        // The scheme is kept only where it is plainly one: "://" right after the first ':' (a "://" further on could
        // sit inside the password).
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        var kept = scheme >= 0 && scheme < at && scheme == url.IndexOf(':', StringComparison.Ordinal) ? scheme + 3 : 0;
        return string.Concat(url.AsSpan(0, kept), "***", url.AsSpan(at));
    }

    private static void CheckFile(string variable, string path, List<string> failures)
    {
        if (path.Length == 0)
        {
            return;
        }

        if (Directory.Exists(path))
        {
            // A directory opens read-only like a file: the client would fail only at its first connect.
            failures.Add($"{variable}='{Topics.Printable(path)}' is a directory; give the path of a readable file");
            return;
        }

        // Asked of open, not File.Exists: a file behind a directory this user may not search is "absent" to stat's
        // callers, yet it is there and its operator must hear why it cannot be read.
        var reason = ReadableFile.DescribeOpenFailure(path, out var absent, out var kind);
        if (absent || (reason is null && !File.Exists(path)))
        {
            failures.Add($"{variable}='{Topics.Printable(path)}' does not exist or is not a file; give the path of a readable file");
        }
        else if (reason is not null)
        {
            // Existing but unreadable (its mode, an ACL, a socket, an unsearchable directory on its path): the client
            // would fail only at its first connect.
            failures.Add($"{variable}='{Topics.Printable(path)}' cannot be read ({reason}); give the path of a file this user may read");
        }
        else if (kind is not null)
        {
            // Opens, but is no file of credentials or certificates: the transport's reads of it at each connect
            // (ReadableFile's checked open) would refuse it only then, and /dev/null is an empty file. Only a regular
            // file, after symlinks, is what these settings mean.
            failures.Add($"{variable}='{Topics.Printable(path)}' is {kind}, not a regular file; give the path of a readable file");
        }
    }
}
