namespace Decnet.Bus.Conformance;

/// <summary>
/// Design §5, proved once for every transport. A derived class supplies <see cref="CreateBusAsync"/>; every client
/// created by one test instance must reach every other (same broker / same in-process network).
/// </summary>
public abstract partial class BusConformanceTests : IAsyncLifetime
{
    /// <summary>Creates a client on this test instance's bus network. The suite disposes it.</summary>
    protected abstract ValueTask<IBus> CreateBusAsync(ConformanceBusOptions options);

    /// <inheritdoc />
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public virtual Task DisposeAsync() => Task.CompletedTask;
}
