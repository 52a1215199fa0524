namespace Decnet.Bus.Internal;

/// <summary>
/// A circular queue of at most <see cref="Capacity"/> items that grows on demand (a subscription that never fills
/// its queue never pays for all of it). Not thread-safe: the owner holds its lock around every call.
/// </summary>
/// <remarks>
/// Slots keep what was in them after a pop unless cleared, so an owner can reuse a slot's storage (the handler path
/// keeps a byte buffer per slot and allocates nothing in steady state).
/// </remarks>
internal struct BoundedRing<T>
{
    private T[] _items;
    private int _head;
    private int _count;

    public BoundedRing(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _items = new T[Math.Min(capacity, 4)];
    }

    public int Capacity { get; }

    public readonly int Count => _count;

    public readonly bool IsFull => _count == Capacity;

    /// <summary>The oldest item; only valid while <see cref="Count"/> is positive.</summary>
    public readonly ref T Head => ref _items[_head];

    /// <summary>
    /// The slot the next <see cref="CommitPush"/> fills (growing the storage when it is full but under capacity);
    /// only valid while not <see cref="IsFull"/>. It holds whatever an earlier lap left there.
    /// </summary>
    public ref T NextSlot()
    {
        if (_count == _items.Length)
        {
            Grow();
        }

        return ref _items[(_head + _count) % _items.Length];
    }

    /// <summary>Makes the slot returned by <see cref="NextSlot"/> the newest item.</summary>
    public void CommitPush() => _count++;

    /// <summary>Removes the oldest item; <paramref name="clear"/> also forgets what its slot held.</summary>
    public void PopHead(bool clear)
    {
        if (clear)
        {
            _items[_head] = default!;
        }

        _head = (_head + 1) % _items.Length;
        _count--;
    }

    /// <summary>Removes every item and forgets what the slots held.</summary>
    public void Clear()
    {
        Array.Clear(_items);
        _head = 0;
        _count = 0;
    }

    private void Grow()
    {
        var grown = new T[Math.Min(Capacity, _items.Length * 2)];
        for (var i = 0; i < _count; i++)
        {
            grown[i] = _items[(_head + i) % _items.Length];
        }

        _items = grown;
        _head = 0;
    }
}
