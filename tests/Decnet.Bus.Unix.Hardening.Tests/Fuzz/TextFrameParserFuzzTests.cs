using System.Buffers;
using System.Diagnostics;
using Decnet.Bus.Unix.Broker.Internal;
using Decnet.Bus.Unix.Hardening.Tests.Support;
using Decnet.Bus.Unix.Protocol;
using Decnet.Bus.Unix.Protocol.Python;
using Xunit.Abstractions;

namespace Decnet.Bus.Unix.Hardening.Tests.Fuzz;

public sealed class TextFrameParserFuzzTests(ITestOutputHelper output)
{
    /// <summary>
    /// The text protocol's decode path (frame parser, PUB body JSON, JSON → MessagePack tail) takes a million hostile
    /// inputs (DECNET_FUZZ_FRAMES): only <see cref="ProtocolException"/> (the connection ends) or a translation refusal
    /// (the event is dropped) ever comes out, and every tail it builds passes the MessagePack broker's own check.
    /// </summary>
    [Fact]
    public void TextDecodePath_SurvivesAMillionHostileInputs_WithOnlyProtocolErrorsOrCountedDrops()
    {
        var seed = FuzzInputs.Seed();
        var iterations = FuzzInputs.Iterations("DECNET_FUZZ_FRAMES", FrameParserFuzzTests.DefaultFrames);
        var inputs = new TextFuzzInputs(seed);
        var kinds = new Dictionary<string, (long Frames, long Rejected, long Untranslatable, long Ticks)>(StringComparer.Ordinal);
        using var tail = new PooledBufferWriter(4096);
        var clock = Stopwatch.StartNew();

        for (var i = 0; i < iterations; i++)
        {
            var input = inputs.Next();
            var buffer = (i & 7) == 0 && input.Length > 1 ? Segments.Split(input, 1 + (i % 13)) : new ReadOnlySequence<byte>(input);
            var counts = kinds.GetValueOrDefault(inputs.LastKind);
            var started = Stopwatch.GetTimestamp();
            try
            {
                while (TextFrameReader.TryParse(ref buffer, out var frame))
                {
                    counts.Frames++;
                    if (frame.Verb != TextVerb.Pub)
                    {
                        continue;
                    }

                    tail.Reset();
                    if (TextPublish.TryWriteTail(frame.Body, 1.5, tail) is null)
                    {
                        FrameDecoder.ValidatePublishTail(new ReadOnlySequence<byte>(tail.WrittenMemory));
                    }
                    else
                    {
                        counts.Untranslatable++;
                    }
                }
            }
            catch (ProtocolException)
            {
                counts.Rejected++;
            }
            catch (Exception ex)
            {
                Assert.Fail($"seed {seed} iteration {i} ({inputs.LastKind}, {input.Length} bytes {Convert.ToHexString(input[..Math.Min(64, input.Length)])}): {ex}");
            }

            counts.Ticks += Stopwatch.GetTimestamp() - started;
            kinds[inputs.LastKind] = counts;
        }

        output.WriteLine($"seed {seed}: {iterations} text inputs in {clock.Elapsed.TotalSeconds:0.0} s");
        foreach (var (kind, (frames, rejected, untranslatable, ticks)) in kinds.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"  {kind,-12} frames {frames,9}  rejected {rejected,9}  untranslatable {untranslatable,9}  {Stopwatch.GetElapsedTime(0, ticks).TotalSeconds,6:0.0} s");
        }

        // Every generator ran, and the hostile ones were refused, or the fuzzer is blind.
        Assert.Equal(TextFuzzInputs.Kinds.Length, kinds.Count);
        Assert.True(kinds["valid"].Frames > 0);
        Assert.True(kinds["deep-json"].Untranslatable > 0);
        Assert.InRange(kinds["bad-verb"].Rejected, iterations / TextFuzzInputs.Kinds.Length, (iterations / TextFuzzInputs.Kinds.Length) + 1);
        Assert.True(kinds["huge-length"].Rejected > 0 && kinds["long-header"].Rejected > 0);
    }
}
