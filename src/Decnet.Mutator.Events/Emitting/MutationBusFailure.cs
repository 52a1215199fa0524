namespace Decnet.Mutator.Events;

/// <summary>Why the event was not published (<see cref="MutationEmitResult.PublishFailure"/>).</summary>
public enum MutationBusFailure
{
    /// <summary>The bus accepted the event.</summary>
    None,

    /// <summary>The bus is disabled (<c>NullBus</c>, <c>DECNET_BUS_ENABLED=false</c> or no bus registered).</summary>
    Disabled,

    /// <summary>The caller canceled the publish after the line was handled.</summary>
    Canceled,

    /// <summary>The bus was disposed.</summary>
    Disposed,

    /// <summary>The transport threw.</summary>
    Transport,
}
