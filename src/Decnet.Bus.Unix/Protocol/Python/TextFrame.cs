using System.Buffers;

namespace Decnet.Bus.Unix.Protocol.Python;

/// <summary>One parsed text-protocol frame. <see cref="Body"/> slices the receive buffer: read it before advancing.</summary>
/// <param name="Verb">The verb.</param>
/// <param name="Args">Everything after the verb on the header line, trimmed as the Python broker trims it.</param>
/// <param name="Body">The raw body (JSON or empty).</param>
internal readonly record struct TextFrame(TextVerb Verb, string Args, ReadOnlySequence<byte> Body);
