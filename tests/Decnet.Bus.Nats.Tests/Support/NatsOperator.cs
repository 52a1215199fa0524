using System.Text;
using System.Text.Json;
using NATS.NKeys;

namespace Decnet.Bus.Nats.Tests.Support;

/// <summary>
/// A NATS operator and one account, with their JWTs signed here (no nsc): the configuration of a nats-server in
/// operator mode with a memory resolver, and creds files of users the account signs.
/// </summary>
internal sealed class NatsOperator : IDisposable
{
    private readonly KeyPair _operator = KeyPair.CreatePair(PrefixByte.Operator);
    private readonly KeyPair _account = KeyPair.CreatePair(PrefixByte.Account);

    /// <summary>The server's configuration: this operator, the account preloaded.</summary>
    public string ServerConfig()
    {
        var operatorJwt = Sign(_operator, _operator.GetPublicKey(), "operator", new Dictionary<string, object>
        {
            ["type"] = "operator",
            ["version"] = 2,
        });
        var accountJwt = Sign(_operator, _account.GetPublicKey(), "account", new Dictionary<string, object>
        {
            ["limits"] = new Dictionary<string, object>
            {
                ["subs"] = -1,
                ["data"] = -1,
                ["payload"] = -1,
                ["imports"] = -1,
                ["exports"] = -1,
                ["wildcards"] = true,
                ["conn"] = -1,
                ["leaf"] = -1,
            },
            ["type"] = "account",
            ["version"] = 2,
        });
        return $"operator: {operatorJwt}\nresolver: MEMORY\nresolver_preload: {{\n  {_account.GetPublicKey()}: {accountJwt}\n}}\n";
    }

    /// <summary>
    /// The creds text of a new user allowed to publish and subscribe to <paramref name="subjects"/> only; with
    /// <paramref name="seedOf"/>, the seed is another user's (the JWT's signature check then fails). The caller disposes
    /// the user's key pair.
    /// </summary>
    public (string Creds, KeyPair User) User(string name, string subjects, KeyPair? seedOf = null)
    {
        var user = KeyPair.CreatePair(PrefixByte.User);
        var allow = new Dictionary<string, object> { ["allow"] = new[] { subjects } };
        var jwt = Sign(_account, user.GetPublicKey(), name, new Dictionary<string, object>
        {
            ["pub"] = allow,
            ["sub"] = allow,
            ["subs"] = -1,
            ["data"] = -1,
            ["payload"] = -1,
            ["type"] = "user",
            ["version"] = 2,
        });
        var creds = $"-----BEGIN NATS USER JWT-----\n{jwt}\n------END NATS USER JWT------\n\n"
            + $"-----BEGIN USER NKEY SEED-----\n{(seedOf ?? user).GetSeed()}\n------END USER NKEY SEED------\n";
        return (creds, user);
    }

    public void Dispose()
    {
        _operator.Dispose();
        _account.Dispose();
    }

    /// <summary>A JWT (ed25519-nkey) <paramref name="issuer"/> signs for <paramref name="subject"/>.</summary>
    private static string Sign(KeyPair issuer, string subject, string name, Dictionary<string, object> nats)
    {
        var header = Base64Url("{\"typ\":\"JWT\",\"alg\":\"ed25519-nkey\"}"u8.ToArray());
        var payload = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["jti"] = Guid.NewGuid().ToString("N").ToUpperInvariant(),
            ["iat"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["iss"] = issuer.GetPublicKey(),
            ["name"] = name,
            ["sub"] = subject,
            ["nats"] = nats,
        }));
        var signature = new byte[64];
        issuer.Sign(Encoding.ASCII.GetBytes($"{header}.{payload}"), signature);
        return $"{header}.{payload}.{Base64Url(signature)}";
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
