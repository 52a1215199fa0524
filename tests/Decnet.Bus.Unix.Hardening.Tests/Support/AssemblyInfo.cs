// The transport is Linux-only (UNIX sockets, SO_PEERCRED); so are its hardening tests.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

// Timing bounds (handshake, idle and stall timeouts) and the fuzz budget assume the tests do not compete with each other for 2 cores.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
