using Decnet.Bus.Nats;
using Decnet.Bus.Nats.Internal;
using Decnet.Testing;
using Microsoft.Extensions.Logging;

namespace Decnet.Bus.Nats.Tests;

/// <summary>
/// A scope the NATS client library begins reaches the host's sinks escaped, as its lines do: a sink that writes scopes
/// would otherwise print whatever server text the library put in one raw.
/// </summary>
public sealed class EscapingLoggerScopeTests
{
    private const string _hostile = "server \u001b[2J\r\nfake line \u202e";

    [Fact]
    public void AStringScope_IsEscaped()
    {
        var inner = new RecordingLogger<NatsBus>();
        var logger = new EscapingLogger(inner);

        using (logger.BeginScope(_hostile))
        {
        }

        var scope = Assert.Single(inner.Scopes);
        Assert.Equal(UntrustedText.Escape(_hostile), scope.ToString());
    }

    [Fact]
    public void AStructuredScope_IsEscaped_InItsFormAndItsValues()
    {
        var inner = new RecordingLogger<NatsBus>();
        var logger = new EscapingLogger(inner);

        using (logger.BeginScope("Connection to {Server} number {Number}", _hostile, 7))
        {
        }

        var scope = Assert.Single(inner.Scopes);
        Assert.Equal($"Connection to {UntrustedText.Escape(_hostile)} number 7", scope.ToString());
        var values = Assert.IsAssignableFrom<IReadOnlyList<KeyValuePair<string, object?>>>(scope);
        Assert.Contains(values, v => v.Key == "Server" && Equals(v.Value, UntrustedText.Escape(_hostile)));
        Assert.Contains(values, v => v.Key == "Number" && Equals(v.Value, 7));
        Assert.DoesNotContain(values, v => v.Value is string text && UntrustedText.NeedsEscaping(text));
    }

    [Fact]
    public void AnObjectScope_IsWrittenAsItsEscapedText()
    {
        var inner = new RecordingLogger<NatsBus>();
        var logger = new EscapingLogger(inner);

        using (logger.BeginScope(new ServerText(_hostile)))
        {
        }

        var scope = Assert.Single(inner.Scopes);
        Assert.Equal(UntrustedText.Escape(_hostile), scope.ToString());
    }

    [Fact]
    public void ACharScope_IsEscaped_WhileANumberPassesAsItIs()
    {
        var inner = new RecordingLogger<NatsBus>();
        var logger = new EscapingLogger(inner);

        using (logger.BeginScope('\u001b'))
        using (logger.BeginScope(42))
        {
        }

        Assert.Equal([UntrustedText.Escape("\u001b"), (object)42], inner.Scopes);
    }

    private sealed class ServerText(string text)
    {
        public override string ToString() => text;
    }
}
