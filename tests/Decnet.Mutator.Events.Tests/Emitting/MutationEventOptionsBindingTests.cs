using Decnet.Bus;
using Decnet.Mutator.Events.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Decnet.Mutator.Events.Tests.Emitting;

/// <summary>
/// <see cref="MutationEventOptions"/> bind from the <c>DecnetMutationEvents</c> section, then
/// <c>DECNET_INGEST_LOG_FILE</c>, then code (docs/mutation-events.md, "Configuration"). Each host is isolated from the
/// process environment by registering <see cref="DecnetBusEnvironment"/>.
/// </summary>
public sealed class MutationEventOptionsBindingTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void NewOptions_DoNotReadTheEnvironment()
    {
        // The default is a constant; the variable is the host's business (AddDecnetMutationEvents), not a property initializer's.
        Assert.Equal(MutationEventOptions.DefaultLogFile, new MutationEventOptions().LogFile);
    }

    [Fact]
    public async Task Section_SetsTheLogFile()
    {
        var log = _temp.File("from-section.log");

        var options = await StartAndGetOptionsAsync(new() { ["DecnetMutationEvents:LogFile"] = log });

        Assert.Equal(log, options.LogFile);
    }

    [Fact]
    public void PlainBind_SeesTheLogFile()
    {
        var log = _temp.File("plain.log");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["DecnetMutationEvents:LogFile"] = log }).Build();
        var options = new MutationEventOptions();

        configuration.GetSection(MutationEventOptions.SectionName).Bind(options, o => o.ErrorOnUnknownConfiguration = true);

        Assert.Equal(log, options.LogFile);
    }

    [Fact]
    public async Task Variable_WinsOverTheSection()
    {
        var log = _temp.File("from-variable.log");

        var options = await StartAndGetOptionsAsync(new()
        {
            ["DecnetMutationEvents:LogFile"] = _temp.File("from-section.log"),
            [MutationEventOptions.LogFileVariable] = log,
        });

        Assert.Equal(log, options.LogFile);
    }

    [Fact]
    public async Task ProcessEnvironment_IsTheFallback()
    {
        var log = _temp.File("from-environment.log");

        var options = await StartAndGetOptionsAsync([], DecnetBusEnvironment.From(new Dictionary<string, string?> { [MutationEventOptions.LogFileVariable] = log }));

        Assert.Equal(log, options.LogFile);
    }

    [Fact]
    public async Task NothingConfigured_KeepsTheDefault()
    {
        var options = await StartAndGetOptionsAsync([]);

        Assert.Equal(MutationEventOptions.DefaultLogFile, options.LogFile);
    }

    [Fact]
    public async Task ConfigureAction_WinsOverTheVariable()
    {
        var log = _temp.File("from-code.log");

        var options = await StartAndGetOptionsAsync(new() { [MutationEventOptions.LogFileVariable] = _temp.File("from-variable.log") }, configure: o => o.LogFile = log);

        Assert.Equal(log, options.LogFile);
    }

    [Theory]
    [InlineData("decnet.log")]
    [InlineData("logs/decnet.log")]
    [InlineData("./decnet.log")]
    [InlineData("~/decnet.log")]
    public async Task RelativeLogFile_FailsHostStart_NamingTheVariable(string path)
    {
        // StartAsync alone, nothing resolved: only ValidateOnStart can make this throw.
        using var host = Build(new() { [MutationEventOptions.LogFileVariable] = path });

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains($"{MutationEventOptions.LogFileVariable} (MutationEventOptions.LogFile) \"{path}\" is relative; use an absolute path", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmptyLogFile_FailsHostStart_NamingTheVariable()
    {
        using var host = Build(new() { [MutationEventOptions.LogFileVariable] = string.Empty });

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains($"{MutationEventOptions.LogFileVariable} (MutationEventOptions.LogFile) must be a file path", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownSectionKey_FailsHostStart_NamingTheKey()
    {
        using var host = Build(new() { ["DecnetMutationEvents:LogPath"] = _temp.File("x.log") });

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("'LogPath'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RelativeLogFile_IsRefusedByTheEmitterToo()
    {
        var ex = Assert.Throws<ArgumentException>(() => new MutationEventEmitter(new MutationEventOptions { LogFile = "decnet.log" }));

        Assert.Contains("is relative", ex.Message, StringComparison.Ordinal);
    }

    private static IHost Build(Dictionary<string, string?> configuration, DecnetBusEnvironment? environment = null, Action<MutationEventOptions>? configure = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Services.AddSingleton(environment ?? DecnetBusEnvironment.None);
        builder.Services.AddDecnetMutationEvents(configure);
        return builder.Build();
    }

    private static async Task<MutationEventOptions> StartAndGetOptionsAsync(Dictionary<string, string?> configuration, DecnetBusEnvironment? environment = null, Action<MutationEventOptions>? configure = null)
    {
        using var host = Build(configuration, environment, configure);
        await host.StartAsync().WaitAsync(TimeSpan.FromSeconds(10));
        var options = host.Services.GetRequiredService<IOptions<MutationEventOptions>>().Value;
        await host.StopAsync();
        return options;
    }
}
