using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
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

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_hosts_own_plain_section_bind_leaves_the_queue_bytes_following_the_frame_limit(bool sectionPresent)
    {
        // The reflection binder writes every property back, present or not (docs/Service-Bus.md, "Options", says a
        // plain Bind reads the section); that write must not pin the queue bytes at the default it read.
        var configuration = new Dictionary<string, string?> { [DecnetBusVariables.MaxFrameBytes] = $"{_largestFrame}" };
        if (sectionPresent)
        {
            configuration["DecnetBus:Echo"] = "true";
        }

        var options = await BusHostFactory.StartAndGetOptionsAsync(configuration, services => services
            .AddOptions<DecnetBusOptions>()
            .Configure<IConfiguration>((o, c) => c.GetSection(DecnetBusOptions.SectionName).Bind(o)));

        Assert.Equal(_largestFrame, options.MaxQueueBytes);
    }

    [Fact]
    public void A_plain_bind_writing_back_the_followed_value_is_not_a_setting()
    {
        var options = new DecnetBusOptions();
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["DecnetBus:Echo"] = "true" })
            .Build().GetSection(DecnetBusOptions.SectionName).Bind(options);

        options.MaxFrameBytes = _largestFrame;

        Assert.False(options.MaxQueueBytesConfigured);
        Assert.Equal(_largestFrame, options.MaxQueueBytes);
    }

    [Theory]
    [InlineData("DecnetBus:MaxQueueBytes")]
    [InlineData(DecnetBusVariables.MaxQueueBytes)]
    public async Task Queue_bytes_set_to_the_value_they_would_follow_still_count_as_set(string key)
    {
        // 16 MiB is what the unset queue reports while the frame limit is small; written by the operator, it is a
        // setting all the same, and a frame limit above it must fail rather than raise it silently.
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => BusHostFactory.StartAndGetOptionsAsync(
            new Dictionary<string, string?> { [key] = "16777216" },
            services => services.AddDecnetBus(o => o.MaxFrameBytes = _largestFrame)));

        Assert.Contains("DECNET_BUS_MAX_QUEUE_BYTES='16777216' is below DECNET_BUS_MAX_FRAME_BYTES", Assert.Single(ex.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_total_below_the_queue_bytes_that_follow_the_frame_limit_names_the_frame_variable()
    {
        // The operator set the total and the frame limit, not the queue: the minimum came from the frame limit.
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => BusHostFactory.StartAndGetOptionsAsync(new Dictionary<string, string?>
        {
            [DecnetBusVariables.MaxFrameBytes] = $"{_largestFrame}",
            [DecnetBusVariables.MaxTotalQueueBytes] = "33554432",
        }));

        Assert.Equal(
            $"DECNET_BUS_MAX_TOTAL_QUEUE_BYTES='33554432' is out of range; use an integer of at least {_largestFrame} "
            + $"(one connection's queue: DECNET_BUS_MAX_QUEUE_BYTES, unset, follows DECNET_BUS_MAX_FRAME_BYTES='{_largestFrame}')",
            Assert.Single(ex.Failures));
    }
}
