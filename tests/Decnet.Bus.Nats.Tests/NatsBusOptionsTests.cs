using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Decnet.Bus.Nats.Tests;

/// <summary>DECNET_BUS_NATS_* binding and validation at host start, and selection by DECNET_BUS_TYPE=nats.</summary>
public sealed class NatsBusOptionsTests
{
    [Fact]
    public void Defaults_AreTheLocalServer_WithoutAuthenticationOrTls()
    {
        var options = Bind(new Dictionary<string, string?>());

        Assert.Equal("nats://127.0.0.1:4222", options.Nats.Url);
        Assert.Equal(string.Empty, options.Nats.CredentialsFile);
        Assert.False(options.Nats.UsesTls);
    }

    [Fact]
    public void Variables_BindEverySetting()
    {
        var options = Bind(new Dictionary<string, string?>
        {
            ["DECNET_BUS_NATS_URL"] = " nats://a:4222, tls://b:4443 ",
            ["DECNET_BUS_NATS_USER"] = "decnet",
            ["DECNET_BUS_NATS_PASSWORD"] = "s3cret",
            ["DECNET_BUS_NATS_TLS_CA"] = "/etc/ca.pem",
        });

        Assert.Equal(["nats://a:4222", "tls://b:4443"], options.Nats.Urls);
        Assert.Equal("decnet", options.Nats.User);
        Assert.Equal("s3cret", options.Nats.Password);
        Assert.True(options.Nats.UsesTls);
    }

    [Fact]
    public void ATlsUrl_MakesTheClientRequireTls_ForEveryServerOfTheList()
    {
        // The client reads the scheme per URL: without this, nats://a would be reached in plain text beside tls://b.
        var options = Bind(new Dictionary<string, string?> { ["DECNET_BUS_NATS_URL"] = "nats://a:4222,TLS://b:4443" });

        Assert.True(options.Nats.UsesTls);
        Assert.Equal(NATS.Client.Core.TlsMode.Require, Internal.NatsOptsFactory.Create(options, loggerFactory: null).TlsOpts.Mode);
    }

    [Theory]
    [InlineData("DECNET_BUS_NATS_URL", "http://x:4222", "only nats:// and tls://")]
    [InlineData("DECNET_BUS_NATS_URL", "not a url", "is not a URL")]
    [InlineData("DECNET_BUS_NATS_URL", "nats://x:4222/path", "has a path")]
    [InlineData("DECNET_BUS_NATS_URL", "", "is empty")]
    [InlineData("DECNET_BUS_NATS_USER", "decnet", "DECNET_BUS_NATS_PASSWORD is empty")]
    [InlineData("DECNET_BUS_NATS_TLS_CERT", "/c.pem", "must be set together")]
    public void InvalidValue_FailsHostStart_NamingTheVariable(string variable, string value, string expected)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Bind(new Dictionary<string, string?> { [variable] = value }));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UrlWithPassword_IsRejected_WithoutEchoingThePassword()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Bind(new Dictionary<string, string?> { ["DECNET_BUS_NATS_URL"] = "nats://user:hunter2@x:4222" }));

        Assert.Contains("carries credentials", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("decnet:hunter2@nats.example:4222", "***@nats.example:4222")]
    [InlineData("nats:/decnet:hunter2@nats.example:4222", "***@nats.example:4222")]
    [InlineData("nats:decnet:hunter2@nats.example:4222", "***@nats.example:4222")]
    [InlineData("nats:decnet:hun://ter2@nats.example:4222", "***@nats.example:4222")]
    [InlineData("nats://decnet:hun@ter2@nats.example:4222", "nats://***@nats.example:4222")]
    public void UrlWithPassword_WhateverItsForm_IsRejected_WithoutEchoingThePassword(string url, string shown)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Bind(new Dictionary<string, string?> { ["DECNET_BUS_NATS_URL"] = url }));

        Assert.Contains($"DECNET_BUS_NATS_URL='{shown}'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("ter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MaxTopicBytes_LongerThanANatsServerAcceptsInASubject_FailsHostStart_ForTheNatsTransportOnly()
    {
        var tooLong = (DecnetBusNatsOptions.MaxSubjectBytes + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        Bind(new Dictionary<string, string?> { ["DECNET_BUS_MAX_TOPIC_BYTES"] = tooLong });
        Bind(new Dictionary<string, string?> { ["DECNET_BUS_TYPE"] = "nats", ["DECNET_BUS_MAX_TOPIC_BYTES"] = DecnetBusNatsOptions.MaxSubjectBytes.ToString(System.Globalization.CultureInfo.InvariantCulture) });

        var error = Assert.Throws<OptionsValidationException>(() => Bind(new Dictionary<string, string?> { ["DECNET_BUS_TYPE"] = "nats", ["DECNET_BUS_MAX_TOPIC_BYTES"] = tooLong }));

        Assert.Equal(
            $"DECNET_BUS_MAX_TOPIC_BYTES='{tooLong}' is more than a NATS server accepts in a subject; use at most {DecnetBusNatsOptions.MaxSubjectBytes} with DECNET_BUS_TYPE=nats",
            Assert.Single(error.Failures));
    }

    [Fact]
    public void TwoAuthenticationMethods_AreRejected()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Bind(new Dictionary<string, string?>
        {
            ["DECNET_BUS_NATS_TOKEN"] = "t",
            ["DECNET_BUS_NATS_USER"] = "u",
            ["DECNET_BUS_NATS_PASSWORD"] = "p",
        }));

        Assert.Contains("choose one authentication method", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFile_FailsOnlyWhenTheTransportIsNats()
    {
        var missing = Path.Combine(Path.GetTempPath(), "decnet-missing-" + Guid.NewGuid().ToString("N") + ".creds");
        Bind(new Dictionary<string, string?> { ["DECNET_BUS_NATS_CREDS"] = missing });

        var error = Assert.Throws<OptionsValidationException>(() => Bind(new Dictionary<string, string?>
        {
            ["DECNET_BUS_TYPE"] = "nats",
            ["DECNET_BUS_NATS_CREDS"] = missing,
        }));

        Assert.Contains("DECNET_BUS_NATS_CREDS", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFileThatCannotBeOpened_FailsHostStart_NamingTheVariableAndTheFile()
    {
        // A socket exists and is no directory, yet opening it fails for every user, root included (ENXIO): the client
        // would fail only when it first connected.
        var directory = Directory.CreateTempSubdirectory("decnet-unreadable-");
        try
        {
            var socketPath = Path.Combine(directory.FullName, "key.pem");
            using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
            socket.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(socketPath));
            Assert.True(File.Exists(socketPath));

            var failure = Assert.Single(Refused("DECNET_BUS_NATS_CREDS", socketPath).Failures);

            Assert.StartsWith($"DECNET_BUS_NATS_CREDS='{socketPath}' cannot be read (", failure, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', failure);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("DECNET_BUS_NATS_CREDS")]
    [InlineData("DECNET_BUS_NATS_TLS_KEY")]
    public void ADirectoryGivenAsTheFile_FailsHostStart_SayingItIsADirectory(string variable)
    {
        // Opened read-only, a directory opens (for root and anyone who may list it): the check must ask what it is.
        var directory = Directory.CreateTempSubdirectory("decnet-dir-as-file-");
        try
        {
            var error = Assert.Throws<OptionsValidationException>(() => Bind(new Dictionary<string, string?>
            {
                ["DECNET_BUS_TYPE"] = "nats",
                [variable] = directory.FullName,
                ["DECNET_BUS_NATS_TLS_CERT"] = variable == "DECNET_BUS_NATS_TLS_KEY" ? typeof(NatsBusOptionsTests).Assembly.Location : null,
            }));

            var failure = Assert.Single(error.Failures);
            Assert.Equal($"{variable}='{directory.FullName}' is a directory; give the path of a readable file", failure);
        }
        finally
        {
            directory.Delete();
        }
    }

    [Theory]
    [InlineData("DECNET_BUS_NATS_CREDS", "/dev/null")]
    [InlineData("DECNET_BUS_NATS_TLS_CA", "/dev/zero")]
    public void ACharacterDeviceGivenAsTheFile_FailsHostStart_NamingTheVariableThePathAndWhatItIs(string variable, string path)
    {
        // The NATS client reads these files with .NET's opens at connect: /dev/null is an empty credential, /dev/zero
        // never ends, and a terminal would block the read (and, opened without O_NOCTTY, could become a service's
        // controlling terminal). Every one opens for reading, so only asking what it is refuses it.
        var failure = Assert.Single(Refused(variable, path).Failures);

        Assert.Equal($"{variable}='{path}' is a character device, not a regular file; give the path of a readable file", failure);
    }

    [Fact]
    public void AFifoGivenAsTheFile_FailsHostStart_OnOneLine_WithThePathEscaped()
    {
        // A FIFO would hang the client's read at connect until some process wrote to it.
        var directory = Directory.CreateTempSubdirectory("decnet-fifo-");
        try
        {
            var fifo = Path.Combine(directory.FullName, "creds\u001b[2J\n.fifo");
            Fifo.Make(fifo);

            var failure = Assert.Single(Refused("DECNET_BUS_NATS_CREDS", fifo).Failures);

            Assert.Equal($"DECNET_BUS_NATS_CREDS='{directory.FullName}/creds\\u001B[2J\\u000A.fifo' is a FIFO, not a regular file; give the path of a readable file", failure);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void ASymlinkToARegularFile_Passes_AndOneToADevice_FailsHostStart()
    {
        var directory = Directory.CreateTempSubdirectory("decnet-link-");
        try
        {
            var creds = Path.Combine(directory.FullName, "bridge.creds");
            File.WriteAllText(creds, "not read");
            var toFile = Path.Combine(directory.FullName, "to-file");
            var toDevice = Path.Combine(directory.FullName, "to-device");
            File.CreateSymbolicLink(toFile, creds);
            File.CreateSymbolicLink(toDevice, "/dev/zero");

            Bind(new Dictionary<string, string?> { ["DECNET_BUS_TYPE"] = "nats", ["DECNET_BUS_NATS_CREDS"] = toFile });
            var failure = Assert.Single(Refused("DECNET_BUS_NATS_CREDS", toDevice).Failures);

            Assert.Equal($"DECNET_BUS_NATS_CREDS='{toDevice}' is a character device, not a regular file; give the path of a readable file", failure);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void AFileThisUserMayNotRead_FailsHostStart_NamingTheVariableAndTheFile()
    {
        // A mode 000 file is read by root all the same (the tests run as root); this sysctl is write-only (0200) for
        // root too, as the kernel checks its mode without root's override. So the check is an open, not a mode test.
        const string writeOnly = "/proc/sys/vm/compact_memory";
        Assert.True(File.Exists(writeOnly), $"{writeOnly} is missing: this kernel cannot host the test");
        Assert.Throws<UnauthorizedAccessException>(() => File.OpenRead(writeOnly).Dispose());

        var failure = Assert.Single(Refused("DECNET_BUS_NATS_TLS_CA", writeOnly).Failures);

        Assert.StartsWith($"DECNET_BUS_NATS_TLS_CA='{writeOnly}' cannot be read (", failure, StringComparison.Ordinal);
        Assert.Contains("ermission denied", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddDecnetBus_TypeNats_ResolvesNatsBus_ThroughAddNatsTransport()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(DecnetBusEnvironment.From(new Dictionary<string, string?> { ["DECNET_BUS_TYPE"] = "nats" }));
        builder.Services.AddDecnetBus().AddNatsTransport();
        using var host = builder.Build();

        await using var bus = host.Services.GetRequiredService<IBus>() as IAsyncDisposable;

        Assert.IsType<NatsBus>(bus);
    }

    private static OptionsValidationException Refused(string variable, string path)
        => Assert.Throws<OptionsValidationException>(() => Bind(new Dictionary<string, string?>
        {
            ["DECNET_BUS_TYPE"] = "nats",
            [variable] = path,
        }));

    private static DecnetBusOptions Bind(Dictionary<string, string?> variables)
    {
        var services = new ServiceCollection();
        services.AddSingleton(DecnetBusEnvironment.From(variables));
        services.AddDecnetBus().AddNatsTransport().AddUnixTransport();
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<DecnetBusOptions>>().Value;
    }
}
