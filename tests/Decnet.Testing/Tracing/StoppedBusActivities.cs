using System.Diagnostics;
using Decnet.Bus.Tracing;

namespace Decnet.Testing;

/// <summary>
/// Records every activity of the bus's source (<see cref="BusTracing.ActivitySourceName"/>) that stops while it lives,
/// sampling all of them, as a tracing listener in a host would.
/// </summary>
public sealed class StoppedBusActivities : IDisposable
{
    private readonly List<Activity> _stopped = [];
    private readonly ActivityListener _listener;

    /// <summary>Starts listening.</summary>
    public StoppedBusActivities()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == BusTracing.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                lock (_stopped)
                {
                    _stopped.Add(a);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>The stopped activities named <paramref name="displayName"/> so far.</summary>
    public IReadOnlyList<Activity> Named(string displayName)
    {
        lock (_stopped)
        {
            return _stopped.FindAll(a => a.DisplayName == displayName);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();
}
