namespace Decnet.Bus.Unix.Tests.Client;

/// <summary>The shared <see cref="RecordingLogger{T}"/> (tests/Decnet.Testing) for the Unix client, under the short name its tests use.</summary>
internal sealed class RecordingLogger : RecordingLogger<UnixSocketBus>;
