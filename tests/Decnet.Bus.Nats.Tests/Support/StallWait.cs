namespace Decnet.Bus.Nats.Tests.Support;

/// <summary>Waits on a publisher's stall changes instead of polling: the bound is a failure limit only.</summary>
internal static class StallWait
{
    /// <summary>Waits until <paramref name="condition"/> holds, re-checking it at each stall change of <paramref name="bus"/>.</summary>
    public static async Task UntilAsync(NatsBus bus, Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Read.Bound);
        while (true)
        {
            var change = bus.NextStallChange;
            if (condition())
            {
                return;
            }

            try
            {
                await change.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"condition not met within {Read.Bound}: {bus.GetStats()}");
            }
        }
    }
}
