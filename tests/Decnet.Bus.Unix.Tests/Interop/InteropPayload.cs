namespace Decnet.Bus.Unix.Tests.Interop;

/// <summary>A typed payload (contractless: public properties become string keys) sent to the Python client.</summary>
public sealed record InteropPayload(string Decky, int Count, bool Ok, IReadOnlyList<string> Tags);
