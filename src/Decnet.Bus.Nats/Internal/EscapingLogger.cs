using System.Collections;
using Microsoft.Extensions.Logging;

namespace Decnet.Bus.Nats.Internal;

/// <summary>
/// A logger of the NATS client library that escapes what it writes (<see cref="UntrustedText"/>): its lines quote the
/// server (an <c>-ERR</c>'s text, an INFO's fields) and so do its exceptions' messages. The message and every string
/// value of its state are escaped, and so are its scopes; an exception is written as an escaped description with its
/// stack, never as the object, whose messages a sink would print raw.
/// </summary>
internal sealed class EscapingLogger(ILogger inner) : ILogger
{
    /// <summary>
    /// Begins the scope escaped as a line is: a string as its escaped text, structured state as its escaped formatted
    /// form with its string values escaped, a number, a bool or an enum (a convertible struct other than a char) as it
    /// is, anything else as its escaped text.
    /// </summary>
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull
        => state switch
        {
            // First: the structured state of BeginScope("... {Name}", value) is a struct.
            IReadOnlyList<KeyValuePair<string, object?>> values
                => inner.BeginScope(new EscapedState(UntrustedText.Escape(state.ToString()), values)),
            ValueType and IConvertible and not char => inner.BeginScope(state),
            _ => inner.BeginScope(UntrustedText.Escape(state.ToString())),
        };

    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!inner.IsEnabled(logLevel))
        {
            return;
        }

        ArgumentNullException.ThrowIfNull(formatter);
        var message = UntrustedText.Escape(formatter(state, exception));
        if (exception is not null)
        {
            message = $"{message}: {UntrustedText.DescribeExceptionWithStack(exception)}";
        }

        inner.Log(logLevel, eventId, new EscapedState(message, state as IReadOnlyList<KeyValuePair<string, object?>>), null, static (s, _) => s.Message);
    }

    /// <summary>The escaped line, and the library's structured values for sinks that write them, strings escaped.</summary>
    private sealed class EscapedState(string message, IReadOnlyList<KeyValuePair<string, object?>>? values) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public string Message => message;

        public int Count => values?.Count ?? 0;

        public KeyValuePair<string, object?> this[int index]
        {
            get
            {
                ArgumentNullException.ThrowIfNull(values);
                var (key, value) = values[index];

                // A number, a bool or an enum says nothing the server chose; anything else is shown as escaped text.
                return new(key, value is null or ValueType ? value : UntrustedText.Escape(value.ToString()));
            }
        }

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            for (var i = 0; i < Count; i++)
            {
                yield return this[i];
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => message;
    }
}
