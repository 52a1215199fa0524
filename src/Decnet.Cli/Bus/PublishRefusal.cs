using Decnet.Bus;
using Decnet.Bus.Nats;
using Decnet.Bus.Unix;
using Decnet.Bus.Unix.Client.Internal;
using Decnet.Bus.Unix.Protocol;

namespace Decnet.Cli.Bus;

/// <summary>
/// A publish the bus refused and said so without closing the connection: the broker's ACL (ERR 12) or the NATS
/// server's permissions. Read after the flush, whose reply comes after the refusal; shared by <c>pub</c> and
/// <c>mutation emit</c>.
/// </summary>
internal sealed class PublishRefusal
{
    private PublishRefusal(string message, int exitCode)
    {
        Message = message;
        ExitCode = exitCode;
    }

    /// <summary>What was refused and why, the bus's words escaped: "the broker refused the event on TOPIC: …".</summary>
    public string Message { get; }

    /// <summary>77 for a permission refusal, 1 for another.</summary>
    public int ExitCode { get; }

    /// <summary>The refusal the bus recorded, or null.</summary>
    public static PublishRefusal? Of(IBus? bus, string topic) => bus switch
    {
        UnixSocketBus { LastPublishRejection: { } refusal } => new(
            $"the broker refused the event on {Topics.Printable(topic)}: {BrokerStats.RejectionName((int)refusal.Code).Replace('_', ' ')} "
            + $"(ERR {(int)refusal.Code}): {ClientLog.BrokerText(refusal.Message)}",
            refusal.Code == BusErrorCode.PermissionDenied ? ExitCodes.NoPermission : ExitCodes.Failure),
        NatsBus { LastPublishRefusal: { } refusal } => new(
            $"the NATS server refused the event on {Topics.Printable(topic)}: permission denied (-ERR '{UntrustedText.Excerpt(refusal)}')",
            ExitCodes.NoPermission),
        _ => null,
    };
}
