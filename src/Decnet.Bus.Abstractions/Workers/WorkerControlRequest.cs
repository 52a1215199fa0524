using System.Diagnostics.CodeAnalysis;
using MessagePack;

namespace Decnet.Bus;

/// <summary>A validated operator request from <c>system.{worker}.control</c> (payload <c>{action, requested_by}</c>).</summary>
/// <param name="Worker">The worker the request is for.</param>
/// <param name="Action">Stop or start.</param>
/// <param name="RequestedBy">Who asked, as the publisher claims it (empty when not given); the kernel-verified identity is on <see cref="BusEvent.Publisher"/> when the transport knows it.</param>
/// <param name="Event">The event the request arrived in.</param>
public sealed record WorkerControlRequest(string Worker, WorkerControlAction Action, string RequestedBy, BusEvent Event)
{
    // The bound the broker and the bridge quote a reason with (BrokerLog, BusBridge): a MessagePack error can quote
    // the payload.
    private const int _maxReasonChars = 1024;

    /// <summary>
    /// Reads a control request from <paramref name="evt"/>; returns false with a reason and the field at fault
    /// (<c>payload</c>, <c>action</c> or <c>requested_by</c>) when the payload is malformed. The reason quotes the
    /// publisher's strings as <see cref="UntrustedText.Excerpt"/>s, so its size is bounded whatever was sent.
    /// </summary>
    internal static bool TryParse(
        string worker,
        BusEvent evt,
        [NotNullWhen(true)] out WorkerControlRequest? request,
        [NotNullWhen(false)] out string? error,
        [NotNullWhen(false)] out string? field)
    {
        request = null;
        field = null;
        IReadOnlyDictionary<string, object?> payload;
        try
        {
            payload = evt.ReadPayloadAsDictionary();
        }
        catch (MessagePackSerializationException ex)
        {
            error = $"payload is not a string-keyed map ({UntrustedText.Excerpt(ex.Message, _maxReasonChars)})";
            field = "payload";
            return false;
        }

        WorkerControlAction? action = payload.GetValueOrDefault("action") switch
        {
            string s when s.Equals("stop", StringComparison.OrdinalIgnoreCase) => WorkerControlAction.Stop,
            string s when s.Equals("start", StringComparison.OrdinalIgnoreCase) => WorkerControlAction.Start,
            _ => null,
        };
        if (action is null)
        {
            error = $"\"action\" is {Describe(payload.GetValueOrDefault("action"))}; expected \"stop\" or \"start\"";
            field = "action";
            return false;
        }

        var requestedBy = payload.GetValueOrDefault("requested_by");
        if (requestedBy is not null and not string)
        {
            error = $"\"requested_by\" is {Describe(requestedBy)}; expected a string";
            field = "requested_by";
            return false;
        }

        request = new WorkerControlRequest(worker, action.Value, (string?)requestedBy ?? string.Empty, evt);
        error = null;
        return true;
    }

    private static string Describe(object? value) => value switch
    {
        null => "missing",
        string s => $"\"{UntrustedText.Excerpt(s)}\"",
        _ => $"a {value.GetType().Name}",
    };
}
