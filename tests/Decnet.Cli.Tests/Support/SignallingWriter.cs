using System.Text;

namespace Decnet.Cli.Tests.Support;

/// <summary>A StringWriter that completes a task when a line containing a marker has been written.</summary>
internal sealed class SignallingWriter(string marker) : StringWriter
{
    private readonly TaskCompletionSource _seen = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _gate = new();
    private readonly List<(string Marker, TaskCompletionSource Seen)> _waits = [];

    public Task Seen => _seen.Task;

    /// <summary>Completes once a line containing <paramref name="other"/> has been written (at once if one has).</summary>
    public Task Until(string other)
    {
        lock (_gate)
        {
            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (base.ToString().Contains(other, StringComparison.Ordinal))
            {
                seen.TrySetResult();
            }
            else
            {
                _waits.Add((other, seen));
            }

            return seen.Task;
        }
    }

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_gate)
        {
            base.Write(value);
            if (value == '\n')
            {
                var text = base.ToString();
                if (text.Contains(marker, StringComparison.Ordinal))
                {
                    _seen.TrySetResult();
                }

                foreach (var (other, seen) in _waits.Where(w => text.Contains(w.Marker, StringComparison.Ordinal)))
                {
                    seen.TrySetResult();
                }
            }
        }
    }

    public override void Write(string? value)
    {
        foreach (var c in value ?? string.Empty)
        {
            Write(c);
        }
    }

    public override void WriteLine(string? value)
    {
        Write(value);
        Write('\n');
    }

    public override Task WriteLineAsync(string? value)
    {
        WriteLine(value);
        return Task.CompletedTask;
    }

    public override Task WriteAsync(string? value)
    {
        Write(value);
        return Task.CompletedTask;
    }

    public override string ToString()
    {
        lock (_gate)
        {
            return base.ToString();
        }
    }
}
