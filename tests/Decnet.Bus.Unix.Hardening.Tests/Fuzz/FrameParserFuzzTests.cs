using System.Buffers;
using System.Diagnostics;
using Decnet.Bus.Unix.Hardening.Tests.Support;
using Decnet.Bus.Unix.Protocol;
using Xunit.Abstractions;

namespace Decnet.Bus.Unix.Hardening.Tests.Fuzz;

public sealed class FrameParserFuzzTests(ITestOutputHelper output)
{
    /// <summary>CI runs this many; scripts/fuzz.sh raises it with DECNET_FUZZ_FRAMES.</summary>
    internal const int DefaultFrames = 1_000_000;

    /// <summary>The most a one-off allocation on the fuzzing thread may add to one input's measurement (see the loop).</summary>
    private const long _oneOffAllowance = 64 * 1024;

    /// <summary>How many inputs may be measured twice in one run.</summary>
    private const int _maxRemeasured = 3;

    [Fact]
    public void FrameParser_SurvivesAMillionHostileFrames_WithOnlyProtocolErrors_AndNoOverAllocation()
    {
        var seed = FuzzInputs.Seed();
        var iterations = FuzzInputs.Iterations("DECNET_FUZZ_FRAMES", DefaultFrames);
        var inputs = new FuzzInputs(seed);
        var buffer = new byte[FuzzInputs.MaxFrame + 16];
        var kinds = new Dictionary<string, (long Parsed, long Rejected, long Partial)>();
        long worstOversizedAllocation = 0;
        double worstRatio = 0;
        var remeasured = 0;
        var clock = Stopwatch.StartNew();

        for (var i = 0; i < iterations; i++)
        {
            var input = inputs.Next();
            input.CopyTo(buffer);
            var bytes = new ArraySegment<byte>(buffer, 0, input.Length);
            var sequence = (i & 7) == 0 && input.Length > 1
                ? Segments.Split(bytes.ToArray(), 1 + (i % 13))
                : new ReadOnlySequence<byte>(bytes);

            var (allocated, outcome) = Decode(sequence, seed, i, inputs, input);
            var bound = inputs.LastOversized ? (16 * 1024) - 1 : (16L * input.Length) + (32 * 1024);
            if (allocated > bound)
            {
                // Measured again before it counts: a one-off allocation on this thread (a shared pool refilling after
                // a trim, a type's first use while other tests run beside this one) is not what this input costs. The
                // excess forgiven is small and rare, so a claim-sized allocation still fails here, however it is
                // cached afterwards; the second measurement must then meet the bound on its own.
                Assert.True(allocated - bound <= _oneOffAllowance, $"seed {seed} iteration {i} ({inputs.LastKind}): {allocated} bytes allocated for {input.Length} bytes of input");
                Assert.True(++remeasured <= _maxRemeasured, $"seed {seed}: more than {_maxRemeasured} inputs over the allocation bound (iteration {i})");
                (allocated, outcome) = Decode(sequence, seed, i, inputs, input);
            }

            if (inputs.LastOversized)
            {
                // The length prefix claims up to 4 GiB: only the error itself may be allocated, never the claim.
                worstOversizedAllocation = Math.Max(worstOversizedAllocation, allocated);
                Assert.True(allocated <= bound, $"seed {seed} iteration {i}: an oversized claim allocated {allocated} bytes");
                Assert.Equal(2, outcome);
            }
            else
            {
                // Decoding may copy what it read (strings, a payload), never more than a small multiple of the input.
                Assert.True(allocated <= bound, $"seed {seed} iteration {i} ({inputs.LastKind}): {allocated} bytes allocated for {input.Length} bytes of input");
                worstRatio = Math.Max(worstRatio, (double)allocated / Math.Max(1, input.Length));
            }

            var counts = kinds.GetValueOrDefault(inputs.LastKind);
            kinds[inputs.LastKind] = outcome switch
            {
                1 => counts with { Parsed = counts.Parsed + 1 },
                2 => counts with { Rejected = counts.Rejected + 1 },
                _ => counts with { Partial = counts.Partial + 1 },
            };
        }

        output.WriteLine($"seed {seed}: {iterations} inputs in {clock.Elapsed.TotalSeconds:0.0} s; worst allocation for an oversized claim {worstOversizedAllocation} B; worst bytes allocated per input byte {worstRatio:0.0}; measured twice {remeasured}");
        foreach (var (kind, (parsed, rejected, partial)) in kinds.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"  {kind,-16} parsed {parsed,9}  rejected {rejected,9}  partial {partial,9}");
        }

        // Every generator must have run, and the hostile ones must actually have been rejected, or the fuzzer is blind.
        Assert.Equal(9, kinds.Count);
        Assert.True(kinds["valid"].Parsed > 0);
        Assert.True(kinds["deep-nesting"].Rejected > 0);
        Assert.True(kinds["wrong-types"].Rejected > 0);
        Assert.True(kinds["huge-length"].Rejected == kinds["huge-length"].Parsed + kinds["huge-length"].Rejected + kinds["huge-length"].Partial);
    }

    /// <summary>Decodes one input; returns the bytes this thread allocated and the outcome (0 partial, 1 parsed, 2 rejected).</summary>
    private static (long Allocated, int Outcome) Decode(ReadOnlySequence<byte> sequence, int seed, int i, FuzzInputs inputs, ReadOnlySpan<byte> input)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var outcome = 0;
        try
        {
            outcome = BrokerDecodePath.Consume(sequence, FuzzInputs.MaxFrame) > 0 ? 1 : 0;
        }
        catch (ProtocolException)
        {
            outcome = 2;
        }
        catch (Exception ex)
        {
            Assert.Fail($"seed {seed} iteration {i} ({inputs.LastKind}, {input.Length} bytes {Convert.ToHexString(input[..Math.Min(64, input.Length)])}): {ex}");
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before, outcome);
    }

    [Theory]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(1000)]
    [InlineData(500_000)]
    public void DeeplyNestedPayload_IsRejectedWithoutRecursion(int depth)
    {
        var prefix = FrameBytes.Of(b => FrameWriter.WritePubRaw(b, "a.b", "t", "0123456789abcdef0123456789abcdef", 1.0, [0x80]));
        var frame = new byte[prefix.Length + 2 + depth];
        prefix.AsSpan(0, prefix.Length - 1).CopyTo(frame);
        var at = prefix.Length - 1;
        frame[at++] = 0x81;
        frame[at++] = 0xa1; // key "k": payload keys must be strings
        frame[at++] = 0x6b;
        frame.AsSpan(at, depth - 1).Fill(0x91);
        frame[^1] = 0xc0;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)(frame.Length - 4));
        var sequence = new ReadOnlySequence<byte>(frame);
        Assert.True(FrameReader.TryParse(ref sequence, 1 << 20, out var parsed));

        // The map is container 1, the arrays below it containers 2..depth: within the limit passes, beyond is BadFrame.
        if (depth <= ProtocolConstants.MaxNestingDepth)
        {
            FrameDecoder.ValidatePublishTail(parsed.Tail);
        }
        else
        {
            var error = Assert.Throws<ProtocolException>(() => FrameDecoder.ValidatePublishTail(parsed.Tail));
            Assert.Equal(BusErrorCode.BadFrame, error.Code);
        }
    }
}
