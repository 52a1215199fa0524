using Decnet.Bus.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.Core;

namespace Decnet.Bus.Nats.Internal;

/// <summary>
/// Maps <see cref="DecnetBusOptions"/> (already validated at host start) onto the official client's
/// <see cref="NatsOpts"/>.
/// </summary>
internal static class NatsOptsFactory
{
    public static NatsOpts Create(DecnetBusOptions options, ILoggerFactory? loggerFactory, bool? echo = null)
    {
        var nats = options.Nats;

        // Options built in code skip the validator: delays out of its range are held to it (ReconnectDelays).
        var reconnect = ReconnectDelays.Of(options);
        var auth = NatsAuthOpts.Default;
        if (nats.CredentialsFile.Length > 0)
        {
            // Read at each connect and reconnect (a renewed file is used at the next one) through the checked open,
            // not the client's CredsFile (NatsFiles says why). A file that cannot be read or parsed fails that connect
            // with the reason.
            var path = nats.CredentialsFile;
            auth = auth with
            {
                AuthCredCallback = (_, _) => ValueTask.FromResult(NatsAuthCred.FromCreds(NatsFiles.Read(DecnetBusVariables.NatsCreds, path))),
            };
        }
        else if (nats.User.Length > 0)
        {
            auth = auth with { Username = nats.User, Password = nats.Password };
        }
        else if (nats.Token.Length > 0)
        {
            auth = auth with { Token = nats.Token };
        }

        var tls = NatsTlsOpts.Default;
        // A key without its certificate too (options built in code): the handshake then fails naming both variables.
        if (nats.UsesTls || nats.TlsKeyFile.Length > 0)
        {
            // Certificates read for each handshake and given from memory, not CaFile/CertFile/KeyFile (NatsTlsMaterial
            // says why).
            tls = tls with
            {
                Mode = TlsMode.Require,
                ConfigureClientAuthentication = new NatsTlsMaterial(nats).ApplyAsync,
            };
        }

        return NatsOpts.Default with
        {
            Url = string.Join(',', nats.Urls),
            Name = options.ClientName,
            Echo = echo ?? options.Echo,
            AuthOpts = auth,
            TlsOpts = tls,
            LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance,

            // Never give up: a bus client outlives outages of any length (docs/cross-host.md). NatsBus retries the
            // first connection itself, so it can tell "still connecting" (publishes wait) from "down" (dropped).
            RetryOnInitialConnect = false,
            MaxReconnectRetry = -1,
            ReconnectWaitMin = reconnect.Min,
            ReconnectWaitMax = reconnect.Max,
            ReconnectJitter = TimeSpan.FromMilliseconds(Math.Min(100, reconnect.Min.TotalMilliseconds)),
            PingInterval = options.KeepaliveInterval > TimeSpan.Zero ? options.KeepaliveInterval : TimeSpan.FromMinutes(2),
            IgnoreAuthErrorAbort = true,

            // This client makes no requests. In Direct mode the client SUBs a reply inbox at every connect, which a
            // user confined to its own subjects (docs/cross-host.md, "Security model") is refused: an -ERR each time.
            RequestReplyMode = NatsRequestReplyMode.SharedInbox,

            // TCP connect plus INFO/CONNECT/PONG: as long as a UNIX client's handshake may take (a loaded host).
            ConnectTimeout = options.HandshakeTimeout,

            // A publish while disconnected is dropped by NatsBus before it reaches the client; one that races a
            // disconnect fails after this bound instead of waiting for the reconnect.
            CommandTimeout = TimeSpan.FromSeconds(1),
            PublishTimeoutOnDisconnected = true,
            SuppressSlowConsumerWarnings = true,
        };
    }
}
