namespace Decnet.Bus.Unix.Protocol.Python;

/// <summary>The verbs of the Python bus's text protocol (docs/text-protocol.md).</summary>
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

    /// <summary><c>EVT topic</c>: broker to client; body the envelope as a JSON object.</summary>
    Evt,

    /// <summary><c>BYE</c>: graceful close, either direction. Empty body.</summary>
    Bye,
}
