using System.Collections.Concurrent;

namespace Decnet.Samples.WorkerService;

/// <summary>The mutations this worker has seen, newest last; what a real worker would act on (re-read its database).</summary>
public sealed class MutationTally
{
    private readonly ConcurrentQueue<MutationNotice> _seen = new();

    /// <summary>Every mutation seen so far.</summary>
    public IReadOnlyCollection<MutationNotice> Seen => _seen;

    /// <summary>Records one mutation and returns how many have been seen.</summary>
    public int Record(MutationNotice notice)
    {
        _seen.Enqueue(notice);
        return _seen.Count;
    }
}
