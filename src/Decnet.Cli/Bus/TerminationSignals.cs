using System.Runtime.InteropServices;

namespace Decnet.Cli.Bus;

/// <summary>
/// Turns SIGINT and SIGTERM into a cancellation token so long-running commands stop cleanly and exit 0, which is
/// what systemd and shell scripts expect from a graceful stop (System.CommandLine's own handler would exit 130/143).
/// </summary>
internal sealed class TerminationSignals : IDisposable
{
    private readonly CancellationTokenSource _cts;
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;

    public TerminationSignals(CancellationToken outer)
    {
        _cts = CancellationTokenSource.CreateLinkedTokenSource(outer);
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    /// <summary>Cancelled by the first SIGINT/SIGTERM (or by the outer token).</summary>
    public CancellationToken Token => _cts.Token;

    /// <summary>True once a signal (not the outer token) asked the command to stop.</summary>
    public bool Signalled { get; private set; }

    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
        _cts.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        // Keep the process alive: the command finishes its own shutdown (BYE, socket removal) and returns.
        context.Cancel = true;
        Signalled = true;
        _cts.Cancel();
    }
}
