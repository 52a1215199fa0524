namespace Decnet.Bus.Nats.Tests.Support;

/// <summary>Writes a file as renewal tools (cert-manager, ACME clients) do: a new file renamed over the old.</summary>
internal static class RenewedFile
{
    public static void Replace(string path, string text)
    {
        var next = path + ".next";
        File.WriteAllText(next, text);
        File.Move(next, path, overwrite: true);
    }
}
