using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Decnet.Bus;
using Decnet.Bus.Unix;
using Decnet.Cli.Bus;
using Decnet.Cli.Tests.Support;


namespace Decnet.Cli.Tests.Bus;

/// <summary>
/// <c>decnet pub TOPIC -</c> reads the payload from stdin as UTF-8 bytes, whatever the locale: at most
/// <see cref="PayloadInput.MaxBytes"/> of them (not all of an endless stream), strictly decoded, a leading BOM
/// accepted.
/// </summary>
public sealed class PubStandardInputTests(BrokerFixture broker) : IClassFixture<BrokerFixture>
{
    private static readonly TimeSpan _bound = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_utf8_payload_is_published_as_sent_with_or_without_a_bom(bool bom)
    {
        const string Topic = "cli.stdin.utf8";
        byte[] text = Encoding.UTF8.GetBytes("""{"name":"é✓"}""");
        using var input = new MemoryStream(bom ? [0xEF, 0xBB, 0xBF, .. text] : text);
        await using var subscriber = await UnixSocketBus.ConnectAsync(new DecnetBusOptions { SocketPath = broker.SocketPath, Group = string.Empty });
        await using var subscription = await subscriber.SubscribeAsync(Topic);
        await using var events = subscription.GetAsyncEnumerator();
        await subscriber.FlushAsync();

        var run = await CliRun.InvokeAsync(["pub", Topic, "-", "--socket", broker.SocketPath], standardInput: input).WaitAsync(_bound);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(_bound));
        using var json = JsonDocument.Parse(EventPrinter.ToJsonLine(events.Current));
        Assert.Equal("é✓", json.RootElement.GetProperty("payload").GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_utf8_payload_is_published_as_sent_under_a_latin1_locale()
    {
        // The real process: Console.In decoded stdin in the locale's charset, so "é" was published as "Ã©".
        const string Topic = "cli.stdin.locale";
        await using var subscriber = await UnixSocketBus.ConnectAsync(new DecnetBusOptions { SocketPath = broker.SocketPath, Group = string.Empty });
        await using var subscription = await subscriber.SubscribeAsync(Topic);
        await using var events = subscription.GetAsyncEnumerator();
        await subscriber.FlushAsync();
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment = { ["LANG"] = "en_US.ISO-8859-1", ["LC_ALL"] = "en_US.ISO-8859-1" },
        };
        foreach (var arg in (string[])[BrokerProcess.CliDll, "pub", Topic, "-", "--socket", broker.SocketPath])
        {
            info.ArgumentList.Add(arg);
        }

        // As BrokerProcess.StartCli: only the flags decide, not the developer's DECNET_* variables.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("DECNET_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(key);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        try
        {
            var error = process.StandardError.ReadToEndAsync();
            await process.StandardInput.BaseStream.WriteAsync(Encoding.UTF8.GetBytes("""{"name":"é"}"""));
            process.StandardInput.Close();
            await process.WaitForExitAsync().WaitAsync(_bound);

            Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{await error}");
            Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(_bound));
            using var json = JsonDocument.Parse(EventPrinter.ToJsonLine(events.Current));
            Assert.Equal("é", json.RootElement.GetProperty("payload").GetProperty("name").GetString());
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }

    [Theory]
    [InlineData(new byte[] { (byte)'{', (byte)'"', (byte)'a', (byte)'"', (byte)':', (byte)'"', 0xE9, (byte)'"', (byte)'}' }, "byte offset 6")]
    [InlineData(new byte[] { (byte)'{', (byte)'"', (byte)'a', (byte)'"', (byte)':', (byte)'"', 0xC3, (byte)'"', (byte)'}' }, "byte offset 6")]
    [InlineData(new byte[] { (byte)'{', (byte)'}', 0xFF }, "byte offset 2")]
    public async Task Invalid_utf8_on_stdin_is_one_line_and_exit_2_before_connecting(byte[] bytes, string where)
    {
        using var missing = new TempSocket();
        using var input = new MemoryStream(bytes);

        var run = await CliRun.InvokeAsync(["pub", "a.b", "-", "--socket", missing.Path], standardInput: input).WaitAsync(_bound);

        Assert.True(run.ExitCode == 2, run.ToString());
        var line = Assert.Single(CliRun.Lines(run.Error));
        Assert.Equal($"error: the payload on stdin is not valid UTF-8 (at {where})", line);
        Assert.Empty(run.Output);
    }

    [Fact]
    public async Task A_payload_over_the_cap_is_one_line_and_exit_2_without_reading_the_rest()
    {
        using var missing = new TempSocket();

        // Valid JSON (an object padded with spaces) 4 MiB over the cap: read whole, it would be accepted.
        using var input = new PaddedObjectStream(PayloadInput.MaxBytes + (4L * 1024 * 1024));

        var run = await CliRun.InvokeAsync(["pub", "a.b", "-", "--socket", missing.Path], standardInput: input).WaitAsync(_bound);

        Assert.True(run.ExitCode == 2, run.ToString());
        var line = Assert.Single(CliRun.Lines(run.Error));
        Assert.Equal($"error: the payload on stdin is over {PayloadInput.MaxBytes} bytes", line);
        Assert.True(input.Position <= PayloadInput.MaxBytes + (1024 * 1024), $"read {input.Position} bytes");
        Assert.Empty(run.Output);
    }

    /// <summary><c>{</c>, spaces, <c>}</c>: a JSON object of any length, made as it is read.</summary>
    private sealed class PaddedObjectStream(long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            var span = buffer.AsSpan(offset, n);
            span.Fill((byte)' ');
            if (_position == 0 && n > 0)
            {
                span[0] = (byte)'{';
            }

            if (n > 0 && _position + n == length)
            {
                span[n - 1] = (byte)'}';
            }

            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
