namespace Decnet.Bus.Conformance;

/// <summary>
/// Design §5, proved once for every transport. A derived class supplies <see cref="CreateBusAsync"/>; every client
/// created by one test instance must reach every other (same broker / same in-process network). The suite disposes
/// every client it created in <see cref="DisposeAsync"/>.
/// </summary>
/// <remarks>
/// Waits are bounded by <see cref="Bound"/> as a failure limit only; absence is proved with marker events that
/// follow the events that must not arrive (per-publisher order), never by sleeping.
/// </remarks>
public abstract partial class BusConformanceTests : IAsyncLifetime
{
    /// <summary>Failure bound of every wait in the suite.</summary>
    protected static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private readonly List<IBus> _buses = [];
    private readonly string _root = "conf" + EventId.NewId()[..12];

    /// <summary>Creates a client on this test instance's bus network. The suite disposes it.</summary>
    protected abstract ValueTask<IBus> CreateBusAsync(ConformanceBusOptions options);

    /// <inheritdoc />
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public virtual async Task DisposeAsync()
    {
        foreach (var bus in _buses)
        {
            await bus.DisposeAsync();
        }
    }

    /// <summary>Creates a client through <see cref="CreateBusAsync"/> and tracks it for disposal.</summary>
    protected async Task<IBus> NewBusAsync(ConformanceBusOptions? options = null)
    {
        var bus = await CreateBusAsync(options ?? new ConformanceBusOptions());
        _buses.Add(bus);
        return bus;
    }

    /// <summary>A topic (or pattern) under this test instance's unique root, so runs never see each other.</summary>
    protected string T(string suffix) => $"{_root}.{suffix}";
}
