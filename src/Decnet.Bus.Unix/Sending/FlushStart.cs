namespace Decnet.Bus.Unix.Sending;

/// <summary>What a caller that claimed a writer's wake-up (<see cref="SocketWriter.ClaimWakeLocked"/>) does next.</summary>
internal enum FlushStart
{
    /// <summary>Nothing: the send loop is at work, or another thread writes inline and wakes the loop when done.</summary>
    Busy,

    /// <summary>Ring the send loop (<see cref="SocketWriter.Ring"/>) after releasing the lock.</summary>
    Ring,

    /// <summary>Write inline: the caller holds the send token until <see cref="SocketWriter.WriteInline"/>.</summary>
    Inline,
}
