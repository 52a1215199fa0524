using Microsoft.Extensions.Options;

namespace Decnet.Bus.Abstractions.Tests.Options;

/// <summary>
/// A connection's byte queue must hold one frame (docs/Service-Bus.md, "Broker limits"): raising
/// DECNET_BUS_MAX_FRAME_BYTES alone raised no queue, and start failed naming DECNET_BUS_MAX_QUEUE_BYTES, which the
/// operator never set. Unset, the queue's bytes follow the frame limit; set too low, the line names both variables.
/// </summary>
public sealed class QueueBytesFollowFrameTests
{
    private const int _largestFrame = 64 * 1024 * 1024;

    [Fact]
    public async Task A_frame_limit_over_the_queue_default_raises_the_unset_queue_bytes_to_it()
    {
        var options = await BusHostFactory.StartAndGetOptionsAsync(new Dictionary<string, string?>
        {
            [DecnetBusVariables.MaxFrameBytes] = $"{_largestFrame}",
        });

        Assert.Equal(_largestFrame, options.MaxFrameBytes);
        Assert.Equal(_largestFrame, options.MaxQueueBytes);
    }

    [Fact]
    public async Task A_frame_limit_under_the_queue_default_leaves_the_default()
    {
        var options = await BusHostFactory.StartAndGetOptionsAsync(new Dictionary<string, string?>
        {
            [DecnetBusVariables.MaxFrameBytes] = "65536",
        });

        Assert.Equal(16 * 1024 * 1024, options.MaxQueueBytes);
    }

    [Fact]
    public async Task Queue_bytes_set_below_the_frame_limit_fail_naming_both_variables()
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => BusHostFactory.StartAndGetOptionsAsync(new Dictionary<string, string?>
        {
            [DecnetBusVariables.MaxFrameBytes] = $"{_largestFrame}",
            [DecnetBusVariables.MaxQueueBytes] = "16777216",
        }));

        var failure = Assert.Single(ex.Failures);
        Assert.Equal(
            $"DECNET_BUS_MAX_QUEUE_BYTES='16777216' is below DECNET_BUS_MAX_FRAME_BYTES='{_largestFrame}'; "
            + $"a connection's queue must hold one frame: use at least {_largestFrame}, or leave it unset to follow the frame limit",
            failure);
    }
}
