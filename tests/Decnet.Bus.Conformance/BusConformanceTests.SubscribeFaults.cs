namespace Decnet.Bus.Conformance;

/// <summary>
/// A subscribe that cannot succeed reports it through the task it returns, never by throwing from the call: code that
/// starts a subscribe and awaits it later (or wraps the call in <c>Task.WhenAll</c>) sees the same failure on every
/// transport (IBus.SubscribeAsync is asynchronous on all of them).
/// </summary>
public abstract partial class BusConformanceTests
{
    public static TheoryData<string> SubscribeFaults => ["invalid pattern", "too many tokens", "cancelled token", "disposed bus"];

    [Theory]
    [MemberData(nameof(SubscribeFaults))]
    public async Task Subscribe_ThatFails_ReturnsAFaultedTask_AndDoesNotThrowFromTheCall(string fault)
    {
        var (bus, pattern, token) = await SubscribeFaultAsync(fault);

        ValueTask<IBusSubscription> enumerable = default;
        var thrown = Record.Exception(() => enumerable = bus.SubscribeAsync(pattern, cancellationToken: token));

        Assert.Null(thrown);
        await AssertFaultAsync(fault, enumerable.AsTask());
    }

    [Theory]
    [MemberData(nameof(SubscribeFaults))]
    public async Task SubscribeHandler_ThatFails_ReturnsAFaultedTask_AndDoesNotThrowFromTheCall(string fault)
    {
        var (bus, pattern, token) = await SubscribeFaultAsync(fault);

        ValueTask<IBusHandlerSubscription> handled = default;
        var thrown = Record.Exception(() => handled = bus.SubscribeAsync(pattern, (_, _) => ValueTask.CompletedTask, cancellationToken: token));

        Assert.Null(thrown);
        await AssertFaultAsync(fault, handled.AsTask());
    }

    private async Task<(IBus Bus, string Pattern, CancellationToken Token)> SubscribeFaultAsync(string fault)
    {
        var bus = await NewBusAsync();
        switch (fault)
        {
            case "invalid pattern":
                return (bus, T("a..b"), default);
            case "too many tokens":
                return (bus, T(string.Join('.', Enumerable.Repeat("a", _defaultMaxPatternTokens))), default);
            case "cancelled token":
                return (bus, T("fault.>"), new CancellationToken(canceled: true));
            default:
                await bus.DisposeAsync();
                return (bus, T("fault.>"), default);
        }
    }

    private static async Task AssertFaultAsync(string fault, Task subscribe)
    {
        var error = await Record.ExceptionAsync(() => subscribe.WaitAsync(Bound));
        switch (fault)
        {
            case "invalid pattern":
                Assert.IsAssignableFrom<ArgumentException>(error);
                break;
            case "too many tokens":
                Assert.IsType<BusSubscriptionRejectedException>(error);
                break;
            case "cancelled token":
                Assert.IsAssignableFrom<OperationCanceledException>(error);
                break;
            default:
                Assert.IsType<ObjectDisposedException>(error);
                break;
        }
    }
}
