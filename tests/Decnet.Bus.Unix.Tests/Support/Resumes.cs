using System.Globalization;

namespace Decnet.Bus.Unix.Tests.Support;

/// <summary>Where a consumer waiting for its next event resumed, for the tests of which thread runs it.</summary>
internal static class Resumes
{
    /// <summary>
    /// Awaits the next event without a captured context and gives the thread the wait resumed on; a wait ended by
    /// cancellation counts as no event.
    /// </summary>
    public static async Task<(bool Moved, Thread Thread)> NextAsync(IAsyncEnumerator<BusEvent> enumerator)
    {
        bool moved;
        try
        {
            moved = await enumerator.MoveNextAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            moved = false;
        }

        return (moved, Thread.CurrentThread);
    }

    /// <summary>The <c>i</c> field of an event published as <c>new { i }</c>.</summary>
    public static int Seq(BusEvent evt) => Convert.ToInt32(evt.ReadPayloadAsDictionary()["i"], CultureInfo.InvariantCulture);
}
