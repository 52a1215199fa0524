using System.Net.Sockets;
using Decnet.Cli.Tests.Support;
using Decnet.Mutator.Events;

namespace Decnet.Cli.Tests.Mutation;

/// <summary>
/// A real <c>decnet mutation emit</c> process interrupted by SIGINT once its line is written: the signal ends the
/// publish, not the process, which still prints both status lines and exits with the line's code (0), as
/// docs/reliability.md promises; the runtime's own handling would end it at once with 130 and print nothing.
/// </summary>
public sealed class MutationEmitSignalTests : IDisposable
{
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(30);

    private readonly TempSocket _socket = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("decnet-cli-").FullName;

    public void Dispose()
    {
        _socket.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Sigint_while_a_hung_broker_holds_the_handshake_prints_both_lines_and_exits_0()
    {
        using var timeout = new CancellationTokenSource(_bound);
        using var broker = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        broker.Bind(new UnixDomainSocketEndPoint(_socket.Path));
        broker.Listen();
        var log = Path.Combine(_dir, "decnet.log");

        using var emit = BrokerProcess.StartCli(
            "mutation", "emit", "--decky", "decky-01", "--old", "ssh", "--new", "http", "--trigger", "operator", "--log-file", log, "--socket", _socket.Path);
        try
        {
            var output = emit.StandardOutput.ReadToEndAsync(timeout.Token);
            var error = emit.StandardError.ReadToEndAsync(timeout.Token);

            // The barrier: the command connects only after the line is appended; accepted and never answered, it waits.
            using var accepted = await broker.AcceptAsync(timeout.Token);
            Assert.True(DeckyMutatedEvent.TryParse(Assert.Single(await File.ReadAllLinesAsync(log, timeout.Token)), out _, out var reason), reason);
            BrokerProcess.Signal(emit, BrokerProcess.SigInt);
            await emit.WaitForExitAsync(timeout.Token);

            var printed = await output;
            Assert.True(emit.ExitCode == 0, $"exit {emit.ExitCode}\nstdout:\n{printed}\nstderr:\n{await error}");
            Assert.Equal(
                [$"syslog: written to {log}", "bus: failed: publish canceled while connecting to the bus (the line is written)"],
                CliRun.Lines(printed));
        }
        finally
        {
            if (!emit.HasExited)
            {
                emit.Kill();
            }
        }
    }
}
