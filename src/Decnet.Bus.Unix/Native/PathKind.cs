namespace Decnet.Bus.Unix.Native;

/// <summary>What is at a path, looked at without following symlinks.</summary>
internal enum PathKind
{
    Missing,
    Socket,
    Symlink,
    RegularFile,
    Directory,
    Other,
}
