namespace Decnet.Bus.Unix.Protocol;

/// <summary>WELCOME: <c>[2, version, broker_pid, max_frame, max_topic, max_subs, queue_size]</c> (negotiated limits).</summary>
internal sealed record WelcomeMessage(int Version, int BrokerPid, int MaxFrame, int MaxTopic, int MaxSubscriptions, int QueueSize);
