namespace Decnet.Testing;

/// <summary>Ids that are not an event id (32 lowercase hex characters), for every test that must refuse one.</summary>
public static class MalformedEventIds
{
    /// <summary>Empty, short, long, uppercase, a stray '-', and escape sequences a terminal would obey.</summary>
    public static TheoryData<string> All =>
    [
        "",
        "x",
        "0AF7651916CD43DD8448EB211C80319C",
        "0af7651916cd43dd8448eb211c80319",
        "0af7651916cd43dd8448eb211c80319c0",
        "0af7651916cd43dd8448eb211c8031-c",
        "\u001b[2J\u001b]0;pwned\u0007xxxxxxxxxxxxxxxxxxxx",
    ];
}
