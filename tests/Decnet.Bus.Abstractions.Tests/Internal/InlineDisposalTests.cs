using Decnet.Bus.Internal;
using Decnet.Testing;

namespace Decnet.Bus.Abstractions.Tests.Internal;

/// <summary>Inline handler calls around disposal: none after it returns, and none whose failure goes unseen.</summary>
public sealed class InlineDisposalTests
{
    private static readonly byte[] _id = "0123456789abcdef0123456789abcdef"u8.ToArray();

    [Fact]
    public async Task InlineCallHandedToAStoppedLoop_IsStillObserved_ItsFailureCountedAndLogged()
    {
        // The loop used to drop the hand-over once stopping, so nothing ever awaited the call.
        var logger = new RecordingLogger<InlineDisposalTests>();
        var loop = new DeliveryLoop(logger);
        await loop.DisposeAsync();
        var call = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscription = new HandlerSubscription("a.>", 4, (_, _) => new ValueTask(call.Task), loop, null, null, inline: true);

        Assert.True(subscription.TryHandleInline("a.b", "t", _id, 1, null, [0x80]));
        call.SetException(new InvalidOperationException("under test"));

        await logger.WaitForAsync(line => line.Contains("threw", StringComparison.Ordinal));
        Assert.Equal(1, subscription.Failed);
    }
}
