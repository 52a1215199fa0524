namespace Decnet.Testing;

/// <summary>The repository's root directory (the one holding Decnet.Core.sln), found above the test binaries.</summary>
internal static class RepositoryRoot
{
    /// <summary>The root's full path.</summary>
    /// <exception cref="DirectoryNotFoundException">No directory above the test binaries holds Decnet.Core.sln.</exception>
    public static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Decnet.Core.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException("Decnet.Core.sln not found above " + AppContext.BaseDirectory);
    }
}
