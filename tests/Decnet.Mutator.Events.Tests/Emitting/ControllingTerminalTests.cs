using Decnet.Mutator.Events.Tests.Support;

namespace Decnet.Mutator.Events.Tests.Emitting;

/// <summary>
/// A session leader without a controlling terminal (every systemd service) that opens a terminal without O_NOCTTY
/// makes it its controlling terminal, and a later hang-up of that terminal sends it SIGHUP. The emitter refuses a
/// character device only after opening it, so that open must not take the terminal (docs/mutation-events.md, "How
/// the file is written"). The emitter runs in a child started by setsid(1): the test host stays in its own session.
/// </summary>
public sealed class ControllingTerminalTests
{
    /// <summary>A failure bound only: the writer emits one line and exits.</summary>
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Emit_LogPathIsATerminal_InASessionWithoutOne_RefusedWithoutBecomingItsControllingTerminal()
    {
        using var terminal = Pseudoterminal.Open();
        using var writer = LoadWriterProcess.StartReportingTerminal(terminal.SlavePath, "setsid", "--wait");
        using var timeout = new CancellationTokenSource(_bound);
        try
        {
            Assert.Equal("ready", await writer.StandardOutput.ReadLineAsync(timeout.Token));
            await writer.StandardInput.WriteLineAsync();
            await writer.StandardInput.FlushAsync(timeout.Token);
            var output = await writer.StandardOutput.ReadToEndAsync(timeout.Token);
            var error = await writer.StandardError.ReadToEndAsync(timeout.Token);
            await writer.WaitForExitAsync(timeout.Token);

            Assert.True(writer.ExitCode == 1, $"exit {writer.ExitCode}; stdout: {output}; stderr: {error}");
            Assert.Contains($"refusing {terminal.SlavePath}: it is a character device", error, StringComparison.Ordinal);
            // tty_nr is /proc/self/stat's controlling terminal: the pty's device number had the open taken it.
            Assert.Contains("session_leader True tty_nr 0\n", output, StringComparison.Ordinal);
        }
        finally
        {
            if (!writer.HasExited)
            {
                // setsid --wait may run the writer as a child of its own: the whole tree goes.
                writer.Kill(entireProcessTree: true);
            }
        }
    }
}
