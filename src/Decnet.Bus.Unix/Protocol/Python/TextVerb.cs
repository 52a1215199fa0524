namespace Decnet.Bus.Unix.Protocol.Python;

/// <summary>
/// The verbs a client sends in the Python bus's text protocol (docs/text-protocol.md); the broker's EVT is not one
/// (TextEvtWriter writes it, TextFrameReader refuses it).
/// </summary>
internal enum TextVerb
{
    /// <summary><c>HELLO name</c>: names the peer. Empty body.</summary>
    Hello,

    /// <summary><c>PUB topic</c>: publish; body <c>{"payload": {...}, "type": "..."}</c> or empty.</summary>
    Pub,

    /// <summary><c>SUB pattern</c>: subscribe. Empty body.</summary>
    Sub,

    /// <summary><c>UNSUB pattern</c>: unsubscribe. Empty body.</summary>
    Unsub,

    /// <summary><c>BYE</c>: graceful close, either direction. Empty body.</summary>
    Bye,
}
