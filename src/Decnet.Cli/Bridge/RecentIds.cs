namespace Decnet.Cli.Bridge;

/// <summary>
/// A bounded set of event ids, oldest forgotten first. The bridge's memory of what it forwarded each way: ids are
/// 128-bit random and preserved end to end, so an event that comes back is recognised by its id alone.
/// </summary>
internal sealed class RecentIds(int capacity)
{
    private readonly HashSet<string> _set = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly Lock _gate = new();

    /// <summary>Adds <paramref name="id"/>; false when it was already there.</summary>
    public bool Add(string id)
    {
        lock (_gate)
        {
            if (!_set.Add(id))
            {
                return false;
            }

            _order.Enqueue(id);
            if (_order.Count > capacity)
            {
                _set.Remove(_order.Dequeue());
            }

            return true;
        }
    }

    public bool Contains(string id)
    {
        lock (_gate)
        {
            return _set.Contains(id);
        }
    }
}
