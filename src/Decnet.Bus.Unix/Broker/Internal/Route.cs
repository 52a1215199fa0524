namespace Decnet.Bus.Unix.Broker.Internal;

/// <summary>One subscription in the routing table: which connection, under which client-chosen id.</summary>
internal readonly record struct Route(BrokerConnection Connection, uint Sid);
