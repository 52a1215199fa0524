using MessagePack;
using MessagePack.Formatters;

namespace Decnet.Cli.Tests.Support;

/// <summary>
/// A payload published as the exact MessagePack bytes given (still checked by the client to be a string-keyed map), so
/// tests can send values no .NET type would produce: ext types, float32 NaN, invalid UTF-8.
/// </summary>
[MessagePackFormatter(typeof(RawPayloadFormatter))]
internal sealed class RawPayload(byte[] bytes)
{
    public byte[] Bytes { get; } = bytes;
}

/// <summary>Writes <see cref="RawPayload.Bytes"/> as they are.</summary>
internal sealed class RawPayloadFormatter : IMessagePackFormatter<RawPayload>
{
    public void Serialize(ref MessagePackWriter writer, RawPayload value, MessagePackSerializerOptions options) => writer.WriteRaw(value.Bytes);

    public RawPayload Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) => throw new NotSupportedException("publish only");
}
