// The bus is a UNIX-domain socket service; these tests run on Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
