// The transport is Linux-only (UNIX sockets, SO_PEERCRED); so are its hardening tests.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
