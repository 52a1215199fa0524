namespace Decnet.Bus.Soak.Load;

/// <summary>The broker's counters read just before a SIGKILL: PUBs accepted in total, and drops per subscriber.</summary>
internal sealed record PreKillSnapshot(long Published, long[] Dropped);
