using System.Text;

namespace Decnet.Bus.Fake.Internal;

/// <summary>
/// Hands a <see cref="BusEventHandler"/> its delivery in a buffer of its own and overwrites that buffer with
/// <see cref="Poison"/> once the handler's task completes. The UNIX transport lends a handler a ring buffer that later
/// events overwrite; without this, a handler that keeps <see cref="BusDelivery.Payload"/> (or its id bytes) past its
/// call would pass every test on FakeBus, whose events own their memory, and read another event's bytes in production.
/// </summary>
internal sealed class LendingHandler
{
    /// <summary>A byte MessagePack never uses (0xC1): a kept payload fails to decode instead of decoding as data.</summary>
    internal const byte Poison = 0xC1;

    private readonly BusEventHandler _handler;

    public LendingHandler(BusEventHandler handler) => _handler = handler;

    public ValueTask HandleAsync(BusDelivery delivery, CancellationToken cancellationToken)
    {
        var source = delivery.ToEvent();
        byte[] buffer;
        BusDelivery lent;
        if (source.TraceParent is null)
        {
            // As the UNIX transport copies an untraced event: id then payload in one reused buffer, id kept as bytes.
            var idLength = Encoding.UTF8.GetByteCount(source.Id);
            buffer = new byte[idLength + source.Payload.Length];
            Encoding.UTF8.GetBytes(source.Id, buffer);
            source.Payload.Span.CopyTo(buffer.AsSpan(idLength));
            lent = new BusDelivery(
                source.Topic,
                source.Type,
                buffer.AsMemory(0, idLength),
                source.Timestamp,
                source.Publisher,
                buffer.AsMemory(idLength),
                delivery.MissedBefore,
                delivery.MayHaveMissed);
        }
        else
        {
            // A traced event comes whole on the UNIX transport (its ToEvent keeps the trace); only the payload is lent.
            buffer = source.Payload.ToArray();
            lent = new BusDelivery(source, buffer, delivery.MissedBefore, delivery.MayHaveMissed);
        }

        return LendAsync(lent, buffer, cancellationToken);
    }

    /// <summary>Runs the handler on the lent copy and poisons it once the handler's task has ended, however it ended.</summary>
    private async ValueTask LendAsync(BusDelivery lent, byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            await _handler(lent, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            buffer.AsSpan().Fill(Poison);
        }
    }
}
