using System.Text;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Interop;

/// <summary>
/// tests/interop/decnet_text_client.py against a fake broker that sends what `decnet bus` never would: whatever the
/// broker sends, the client prints one of its documented lines (an EVT, or ERROR), escaped, and never dies silently.
/// </summary>
public sealed class PythonTextClientTests
{
    [StdlibPythonFact]
    public async Task AnEvtBodyNestedDeeperThanPythonRecurses_IsAnErrorLine()
    {
        var body = "{\"p\":" + new string('[', 1500) + new string(']', 1500) + "}";

        Assert.Equal("ERROR EVT body nests deeper than this client can parse", await ReplyToAsync("EVT d.x", body));
    }

    [StdlibPythonFact]
    public async Task NonFiniteNumbersInAnEvtBody_AreAnErrorLine_NotJson()
    {
        foreach (var value in new[] { "NaN", "Infinity", "-Infinity", "1e999" })
        {
            var line = await ReplyToAsync("EVT n.x", $$"""{"x": {{value}}}""");

            Assert.True(line.StartsWith("ERROR EVT body ", StringComparison.Ordinal), $"{value}: {line}");
        }
    }

    [StdlibPythonFact]
    public async Task ControlCharactersFromTheBroker_AreEscapedAsUntrustedTextEscapesThem()
    {
        var line = await ReplyToAsync("EVT a\u001b[31mb", """{"s": "\u001b\u202e"}""");

        Assert.Equal("""EVT a\u001B[31mb {"s":"\u001b\u202e"}""", line);
    }

    /// <summary>Starts the client on a fake broker, sends it one frame, and returns the line it printed.</summary>
    private static async Task<string> ReplyToAsync(string header, string body)
    {
        await using var peer = new ScriptedPeer();
        await using var python = await PythonTextClient.StartAsync(peer.SocketPath, "py-untrusted");
        await peer.AcceptAsync();
        await peer.WriteAsync(RawTextClient.Frame(header, Encoding.UTF8.GetBytes(body)));
        return await python.NextLineAsync();
    }
}
