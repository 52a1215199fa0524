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
        var options = new DecnetBusOptions { Type = DecnetBusOptions.NatsTransport, ClientName = "escaping" };
        options.Nats.Url = server.Url;
        await using var bus = new NatsBus(options, logging);

        Assert.False(await bus.WaitForConnectionAsync(TimeSpan.Zero));
        await log.WaitForLinesAsync("nats: cannot connect", 1);

        var cannotConnect = Assert.Single(log.Lines, l => l.Contains("nats: cannot connect", StringComparison.Ordinal));
        Assert.Contains("Authorization Violation\\u001B[2J\\u001B[1;31mINJECTED\\u001B[0m\\u000Dbridge: stopped", cannotConnect, StringComparison.Ordinal);
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
}
