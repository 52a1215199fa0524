namespace Decnet.Bus.Unix.Protocol.Python;

/// <summary>
/// A payload has no form on the other protocol (docs/text-protocol.md, "Translation"): the event is dropped for the
/// peers that would need the translation, and counted. Never ends a connection by itself.
/// </summary>
internal sealed class PayloadTranslationException(string message) : Exception(message);
