using Decnet.Bus.Unix.Tests.Support;

namespace Decnet.Bus.Unix.Tests.Interop;

/// <summary>
/// The Python protocol has no acknowledgements. A broker handles one connection's frames in order, so once a .NET
/// subscriber receives a publish the Python client sent after its SUB or UNSUB, the broker has applied that request.
/// </summary>
internal sealed class TextBarrier : IAsyncDisposable
{
    public const string Topic = "interop.sync";

    private readonly IBusSubscription _subscription;
    private int _next;

    private TextBarrier(IBusSubscription subscription) => _subscription = subscription;

    public static async Task<TextBarrier> CreateAsync(IBus bus) => new(await bus.SubscribeAsync(Topic));

    /// <summary>Returns once the broker has handled everything <paramref name="python"/> sent before.</summary>
    public async Task PassAsync(PythonTextClient python)
    {
        var n = ++_next;
        await python.SendAsync($$"""pub {{Topic}} sync {"n": {{n}}}""");
        var evt = await Receive.NextAsync(_subscription);
        Assert.Equal(n, Convert.ToInt32(evt.ReadPayloadAsDictionary()["n"], System.Globalization.CultureInfo.InvariantCulture));
    }

    public ValueTask DisposeAsync() => _subscription.DisposeAsync();
}
