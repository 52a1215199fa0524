using System.Buffers;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Protocol;

/// <summary>
/// Pins the hex dumps of docs/wire-protocol-examples.md (§8): each string here is the dump in the doc (same grouping),
/// and the encoder must produce exactly these bytes. Change one only together with the other.
/// </summary>
public sealed class GoldenBytesTests
{
    internal const string Hello = "0000000f 96 01 01 a8636c692d34323432 c3 00 00";
    internal const string Welcome = "00000014 97 02 01 cd1092 ce00100000 cd0100 cd0400 cd0400";
    internal const string Sub = "0000000b 93 04 01 a76465636b792e3e";
    internal const string SubAck = "00000003 92 05 01";
    internal const string Pub = "00000052 96 03 b16465636b792e64312e6d75746174696f6e a86d75746174696f6e"
        + " d9203031323334353637383961626364656630313233343536373839616263646566 cb41dabf61b0200000 81a56465636b79a26431";
    internal const string Evt = "0000005e 98 07 9101 b16465636b792e64312e6d75746174696f6e 93cd1093cd03e8cd03e8 a86d75746174696f6e"
        + " d9203031323334353637383961626364656630313233343536373839616263646566 cb41dabf61b0200000 81a56465636b79a26431";
    internal const string Err = "00000011 93 0a 03 ad696e76616c696420746f706963";
    internal const string Ping = "00000002 91 08";
    internal const string HelloReportLost = "00000010 97 01 01 a8636c692d34323432 c3 00 00 c3";
    internal const string Lost = "00000009 92 0e 92 920154 920203";

    [Fact]
    public void Hello_MatchesTheDoc() => AssertHex(Hello, GoldenFrames.Hello());

    [Fact]
    public void Welcome_MatchesTheDoc() => AssertHex(Welcome, GoldenFrames.Welcome());

    [Fact]
    public void Sub_MatchesTheDoc() => AssertHex(Sub, GoldenFrames.Sub());

    [Fact]
    public void SubAck_MatchesTheDoc() => AssertHex(SubAck, GoldenFrames.SubAck());

    [Fact]
    public void Pub_MatchesTheDoc() => AssertHex(Pub, GoldenFrames.Pub());

    [Fact]
    public void Evt_MatchesTheDoc() => AssertHex(Evt, GoldenFrames.Evt());

    [Fact]
    public void Err_MatchesTheDoc() => AssertHex(Err, GoldenFrames.Err());

    [Fact]
    public void Ping_MatchesTheDoc() => AssertHex(Ping, GoldenFrames.Ping());

    [Fact]
    public void HelloReportLost_MatchesTheDoc_AndDecodes()
    {
        AssertHex(HelloReportLost, GoldenFrames.HelloReportLost());
        var frame = new ReadOnlySequence<byte>(GoldenFrames.HelloReportLost());
        Assert.True(FrameReader.TryParse(ref frame, 1 << 20, out var parsed));
        Assert.True(FrameDecoder.ReadHello(parsed.Body).ReportLost);
    }

    [Fact]
    public void Lost_MatchesTheDoc_AndDecodes()
    {
        AssertHex(Lost, GoldenFrames.Lost());
        var frame = new ReadOnlySequence<byte>(GoldenFrames.Lost());
        Assert.True(FrameReader.TryParse(ref frame, 1 << 20, out var parsed));
        var lost = new List<(uint Sid, long Count)>();
        FrameDecoder.ReadLost(parsed.Body, lost);
        Assert.Equal([(1u, 84L), (2u, 3L)], lost);
    }

    [Fact]
    public void Lost_ManySids_SplitIntoFramesBelowTheSmallestFrameLimit()
    {
        var all = Enumerable.Range(0, 1000).ToDictionary(i => (uint)(uint.MaxValue - i), _ => long.MaxValue);
        var bytes = new ReadOnlySequence<byte>(FrameBytes.Of(b => FrameWriter.WriteLost(b, all)));
        var seen = new Dictionary<uint, long>();
        var frames = 0;
        var pairs = new List<(uint Sid, long Count)>();
        while (FrameReader.TryParse(ref bytes, ProtocolConstants.MinMaxFrame, out var frame))
        {
            frames++;
            FrameDecoder.ReadLost(frame.Body, pairs);
            foreach (var (sid, count) in pairs)
            {
                seen.Add(sid, count);
            }
        }

        Assert.Equal(0, bytes.Length);
        Assert.Equal(4, frames);
        Assert.Equal(all, seen);
    }

    [Fact]
    public void Doc_ContainsEveryDump()
    {
        var doc = File.ReadAllText(FindDoc());
        foreach (var hex in new[] { Hello, Welcome, Sub, SubAck, Pub, Evt, Err, Ping, HelloReportLost, Lost })
        {
            Assert.Contains(hex, doc, StringComparison.Ordinal);
        }
    }

    private static void AssertHex(string expected, byte[] actual)
        => Assert.Equal(Convert.ToHexStringLower(FrameBytes.FromHex(expected)), Convert.ToHexStringLower(actual));

    private static string FindDoc()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "docs", "wire-protocol-examples.md")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir?.FullName ?? throw new FileNotFoundException("docs/wire-protocol-examples.md not found above the test output"), "docs", "wire-protocol-examples.md");
    }
}
