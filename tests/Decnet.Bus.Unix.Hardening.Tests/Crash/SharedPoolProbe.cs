using System.Buffers;
using System.Collections;
using System.Reflection;

namespace Decnet.Bus.Unix.Hardening.Tests.Crash;

/// <summary>
/// How many bytes <see cref="ArrayPool{T}.Shared"/> (for bytes) is holding for reuse: the arrays in its per-core
/// partitions plus the one array per size that every thread keeps for itself. Those arrays are alive (the heap counts
/// them) but they are a cache with a fixed ceiling, not a leak; subtracting them leaves what the client really retains.
/// </summary>
/// <remarks>
/// Read by reflection from the runtime's private <c>SharedArrayPool&lt;T&gt;</c> (.NET 8 to 10): a runtime that
/// renames a field makes this throw, and the test says so instead of measuring the wrong thing.
/// </remarks>
internal static class SharedPoolProbe
{
    internal const BindingFlags Private = BindingFlags.NonPublic | BindingFlags.Instance;

    public static long PooledBytes()
    {
        var pool = ArrayPool<byte>.Shared;
        var type = pool.GetType();
        long bytes = 0;
        foreach (var partitions in (Array?)Field(type, "_buckets").GetValue(pool) ?? Array.Empty<object>())
        {
            if (partitions is null)
            {
                continue;
            }

            foreach (var partition in (Array)Field(partitions.GetType(), "_partitions").GetValue(partitions)!)
            {
                var arrays = (Array)Field(partition.GetType(), "_arrays").GetValue(partition)!;
                var count = (int)Field(partition.GetType(), "_count").GetValue(partition)!;
                for (var i = 0; i < count; i++)
                {
                    bytes += ((Array?)arrays.GetValue(i))?.Length ?? 0;
                }
            }
        }

        // Every thread's own cache: the pool keeps a weak table of them (for trimming), keyed by the per-thread array.
        foreach (var entry in (IEnumerable)Field(type, "_allTlsBuckets").GetValue(pool)!)
        {
            var slots = (Array)entry.GetType().GetProperty("Key")!.GetValue(entry)!;
            foreach (var slot in slots)
            {
                bytes += ((Array?)Field(slot.GetType(), "Array", BindingFlags.Public | BindingFlags.Instance).GetValue(slot))?.Length ?? 0;
            }
        }

        return bytes;
    }

    private static FieldInfo Field(Type type, string name, BindingFlags flags = Private)
        => type.GetField(name, flags)
            ?? throw new InvalidOperationException($"{type} has no field {name} any more: update {nameof(SharedPoolProbe)} for this runtime");
}
