using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestFramework("Decnet.Bus.Nats.Tests.Support.PeerTestFramework", "Decnet.Bus.Nats.Tests")]

namespace Decnet.Bus.Nats.Tests.Support;

/// <summary>
/// xunit's framework, except that every test of a <see cref="RequiresNatsServerAttribute"/> class is discovered as
/// skipped (with the install hint) when nats-server is missing. A plain <c>[Fact(Skip=…)]</c> cannot do this for the
/// conformance suite, whose facts are inherited from an abstract class shared by every transport.
/// </summary>
public sealed class PeerTestFramework(IMessageSink messageSink) : XunitTestFramework(messageSink)
{
    protected override ITestFrameworkDiscoverer CreateDiscoverer(IAssemblyInfo assemblyInfo)
        => new Discoverer(assemblyInfo, SourceInformationProvider, DiagnosticMessageSink);

    private sealed class Discoverer(IAssemblyInfo assemblyInfo, ISourceInformationProvider sourceProvider, IMessageSink diagnosticMessageSink)
        : XunitTestFrameworkDiscoverer(assemblyInfo, sourceProvider, diagnosticMessageSink)
    {
        protected override bool FindTestsForMethod(ITestMethod testMethod, bool includeSourceInformation, IMessageBus messageBus, ITestFrameworkDiscoveryOptions discoveryOptions)
        {
            var reason = RequiresNatsServerAttribute.SkipReason;
            var type = testMethod.TestClass.Class.ToRuntimeType();
            if (reason is null || type?.GetCustomAttribute<RequiresNatsServerAttribute>() is null)
            {
                return base.FindTestsForMethod(testMethod, includeSourceInformation, messageBus, discoveryOptions);
            }

            using var skipping = new SkippingBus(messageBus, DiagnosticMessageSink, discoveryOptions, reason);
            return base.FindTestsForMethod(testMethod, includeSourceInformation, skipping, discoveryOptions);
        }
    }

    /// <summary>Replaces each discovered test case with a skipped one carrying the same method and arguments.</summary>
    private sealed class SkippingBus(IMessageBus inner, IMessageSink diagnostics, ITestFrameworkDiscoveryOptions options, string reason) : IMessageBus
    {
        public bool QueueMessage(IMessageSinkMessage message)
        {
            if (message is ITestCaseDiscoveryMessage { TestCase: IXunitTestCase testCase })
            {
                var skipped = new XunitSkippedDataRowTestCase(
                    diagnostics,
                    options.MethodDisplayOrDefault(),
                    options.MethodDisplayOptionsOrDefault(),
                    testCase.TestMethod,
                    reason,
                    testCase.TestMethodArguments);
                return inner.QueueMessage(new TestCaseDiscoveryMessage(skipped));
            }

            return inner.QueueMessage(message);
        }

        public void Dispose()
        {
            // The inner bus belongs to the caller.
        }
    }
}
