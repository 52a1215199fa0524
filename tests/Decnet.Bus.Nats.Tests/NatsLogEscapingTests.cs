using Decnet.Bus.Nats.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Decnet.Bus.Nats.Tests;

/// <summary>
/// Text a NATS server sends reaches the log escaped: a console sink prints a logged exception's messages as they are,
/// and the client's exceptions quote the server (docs/cross-host.md, `decnet bridge`).
/// </summary>
public sealed class NatsLogEscapingTests
{
    // What a reviewer's fake server answered: it cleared the terminal and forged a bridge line after a carriage return.
    private const string _hostileError = "Authorization Violation\u001b[2J\u001b[1;31mINJECTED\u001b[0m\rbridge: stopped; all fine";

    [Fact]
    public async Task ServerErrorAtConnect_IsLoggedEscaped_InTheCannotConnectLineToo()
    {
        await using var server = new ScriptedNatsServer(_hostileError);
        var log = new RecordingLogger<NatsBus>();
        using var logging = LoggerFactory.Create(b => b.AddProvider(new RecordingLoggerProvider<NatsBus>(log)).AddFilter("NATS", LogLevel.None));
        await using var bus = ClientOf(server, logging, "escaping");

        Assert.False(await bus.WaitForConnectionAsync(TimeSpan.Zero));
        await log.WaitForLinesAsync("nats: cannot connect", 1);

        var cannotConnect = Assert.Single(log.Lines, l => l.Contains("nats: cannot connect", StringComparison.Ordinal));
        Assert.Contains("Authorization Violation\\u001B[2J\\u001B[1;31mINJECTED\\u001B[0m\\u000Dbridge: stopped", cannotConnect, StringComparison.Ordinal);
        AssertNothingRaw(log);
    }

    [Fact]
    public async Task TheNatsClientsOwnLines_ReachTheHostsLoggerEscaped()
    {
        // A host that registers the transport through AddDecnetBus hands its logger factory over as it is, without the
        // bridge's filter on the NATS categories: the client library's own lines quote the server's -ERR too.
        await using var server = new ScriptedNatsServer(_hostileError);
        var log = new RecordingLogger<NatsBus>();
        using var logging = LoggerFactory.Create(b => b.AddProvider(new RecordingLoggerProvider<NatsBus>(log)).SetMinimumLevel(LogLevel.Trace));
        await using var bus = ClientOf(server, logging, "escaping");

        Assert.False(await bus.WaitForConnectionAsync(TimeSpan.Zero));
        await log.WaitForLinesAsync("nats: cannot connect", 1);

        // The library's "Server error {Error}" line (its reader's), which NatsBus never writes itself.
        Assert.Contains(log.Lines, l => l.StartsWith("Server error", StringComparison.Ordinal) && l.Contains("INJECTED", StringComparison.Ordinal));
        AssertNothingRaw(log);
    }

    [Fact]
    public async Task AnUnexpectedFailureOfTheFirstConnect_IsLoggedWithItsStack_AndTheServersTextEscaped()
    {
        // A logging provider that fails for the client's socket reader: the connect then fails with an exception no
        // outage explains, whose stack is what an operator needs; the server has sent its hostile INFO by then.
        await using var server = new ScriptedNatsServer(_hostileError);
        var log = new RecordingLogger<NatsBus>();
        using var logging = new FailingReaderLoggerFactory(log);
        await using var bus = ClientOf(server, logging, "unexpected");

        Assert.False(await bus.WaitForConnectionAsync(TimeSpan.Zero));
        await log.WaitForLinesAsync(FailingReaderLoggerFactory.Failure, 1);

        var line = Assert.Single(log.Lines, l => l.Contains(FailingReaderLoggerFactory.Failure, StringComparison.Ordinal));
        Assert.Contains($"{nameof(FailingReaderLoggerFactory)}.{nameof(FailingReaderLoggerFactory.CreateLogger)}", line, StringComparison.Ordinal);
        AssertNothingRaw(log);
    }

    private static NatsBus ClientOf(ScriptedNatsServer server, ILoggerFactory logging, string name)
    {
        var options = new DecnetBusOptions { Type = DecnetBusOptions.NatsTransport, ClientName = name };
        options.Nats.Url = server.Url;
        return new NatsBus(options, logging);
    }

    /// <summary>No line, and no logged exception's message, holds a character a terminal would act on.</summary>
    private static void AssertNothingRaw(RecordingLogger<NatsBus> log)
    {
        Assert.DoesNotContain(log.Lines, UntrustedText.NeedsEscaping);
        Assert.DoesNotContain(log.Exceptions.SelectMany(Chain), e => UntrustedText.NeedsEscaping(e.Message));
    }

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    /// <summary>Records every category into one logger, and fails (a bug of the provider) for the client's socket reader.</summary>
    private sealed class FailingReaderLoggerFactory(RecordingLogger<NatsBus> log) : ILoggerFactory
    {
        public const string Failure = "the recording provider has no logger for the socket reader";

        public ILogger CreateLogger(string categoryName)
            => categoryName.EndsWith(".NatsReadProtocolProcessor", StringComparison.Ordinal) ? throw new InvalidOperationException(Failure) : log;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }
    }
}
