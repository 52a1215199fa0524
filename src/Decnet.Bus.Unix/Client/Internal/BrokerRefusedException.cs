using Decnet.Bus.Unix.Protocol;

namespace Decnet.Bus.Unix.Client.Internal;

/// <summary>The broker answered the handshake with ERR (for example: too many connections); its text is quoted cut and escaped.</summary>
internal sealed class BrokerRefusedException(BusErrorCode code, string brokerText) : Exception($"broker refused the connection ({code}): {ClientLog.BrokerText(brokerText)}")
{
    public BusErrorCode Code { get; } = code;

    /// <summary>The broker's text as it came (unescaped): quote it with <see cref="ClientLog.BrokerText"/>.</summary>
    public string BrokerText { get; } = brokerText;
}
