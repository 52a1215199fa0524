namespace Decnet.Bus.Unix.Tests.Interop;

/// <summary>
/// A fact that needs only python3 and its standard library (the Python-protocol client, tests/interop/decnet_text_client.py).
/// Skipped with the install hint when python3 is missing, except in CI (<c>DECNET_REQUIRE_PEERS=1</c>), where the
/// test runs and fails naming what is missing.
/// </summary>
public sealed class StdlibPythonFactAttribute : FactAttribute
{
    public const string InstallHint = "install it with `apt-get install -y python3` (CI does)";

    public StdlibPythonFactAttribute()
    {
        if (!File.Exists(PythonClient.Interpreter) && Environment.GetEnvironmentVariable("DECNET_REQUIRE_PEERS") != "1")
        {
            Skip = $"{PythonClient.Interpreter} is not installed; {InstallHint}.";
        }
    }
}
