namespace Decnet.Bus.Abstractions.Tests.Options;

/// <summary>
/// The client's default name (docs/Service-Bus.md, "Options": the process name and pid) and what it costs to work out.
/// </summary>
public sealed class DefaultClientNameTests
{
    [Fact]
    public void TheDefaultName_IsTheProcessNameAndPid()
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();

        Assert.Equal($"{process.ProcessName}-{Environment.ProcessId}", new DecnetBusOptions().ClientName);
    }

    [Fact]
    public void TheDefaultName_IsWorkedOutOncePerProcess_NotPerOptions()
    {
        // .NET's Process.ProcessName reads /proc/<pid>/task/*/stat for every thread of the process. Each connection of
        // the Unix transport has a receive thread and options of its own, so a process opening its thousandth
        // connection read a thousand files for a default it then overrode: 1,000 connections took seconds to open
        // (docs/performance-history-2.md, part 10).
        Assert.Same(new DecnetBusOptions().ClientName, new DecnetBusOptions().ClientName);
    }
}
