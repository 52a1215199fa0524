namespace Decnet.Bus.Fake.Tests.Docs;

// doc-snippet: fakebus-test
// The code under test only knows IBus, so a test can hand it a FakeBus.
internal sealed class DeckyRotator(IBus bus)
{
    public async Task RotateAsync(string deckyId, string[] oldServices, string[] newServices, CancellationToken ct = default)
    {
        // ... change the decky, commit to the database, then announce it:
        await bus.PublishAsync(
            Topics.DeckyMutation(deckyId),
            new Dictionary<string, object?>
            {
                ["decky"] = deckyId,
                ["old_services"] = oldServices,
                ["new_services"] = newServices,
                ["trigger"] = "scheduled",
            },
            type: "mutation",
            cancellationToken: ct);
    }
}

public sealed class DeckyRotatorTests
{
    [Fact]
    public async Task RotateAsync_PublishesTheDeckyMutation()
    {
        await using var bus = new FakeBus();
        var rotator = new DeckyRotator(bus);

        await rotator.RotateAsync("decky-01", ["ssh", "http"], ["http", "smb"]);

        // Finds the event whether it was published before or after this call; on timeout the
        // exception lists what was published instead.
        var evt = await bus.WaitForAsync(Topics.DeckyMutation("decky-01"), timeout: TimeSpan.FromSeconds(5));
        var payload = evt.ReadPayloadAsDictionary();
        Assert.Equal("mutation", evt.Type);
        Assert.Equal("decky-01", payload["decky"]);
        Assert.Equal(["http", "smb"], (object[])payload["new_services"]!);
    }
}
// doc-snippet: fakebus-test
