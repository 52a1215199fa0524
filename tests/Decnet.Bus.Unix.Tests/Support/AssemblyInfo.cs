// The transport is Linux-only (UNIX sockets, SO_PEERCRED, statx); so are its tests.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
