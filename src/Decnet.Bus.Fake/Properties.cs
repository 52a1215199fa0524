using Decnet.Bus;
using Decnet.Bus.Fake;

// AddDecnetBus() discovers the "fake" transport through this attribute; the abstractions never reference this package.
[assembly: DecnetBusTransport(typeof(FakeBusTransportProvider))]
