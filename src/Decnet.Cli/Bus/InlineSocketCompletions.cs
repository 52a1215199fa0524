namespace Decnet.Cli.Bus;

/// <summary>
/// The broker process runs socket completions on the runtime's epoll thread instead of handing each one to the thread
/// pool (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c>). Its continuations only parse, route and write without
/// blocking, so the hand-off bought nothing and cost a thread wake-up per read (docs/performance-history.md, issue 14
/// part 3). The runtime reads the variable when the first socket starts asynchronous work, so this must run before the
/// broker opens its socket; an operator's own setting, even <c>0</c>, is left alone.
/// </summary>
internal static class InlineSocketCompletions
{
    /// <summary>The runtime's switch.</summary>
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Turns inline completions on for this process unless the environment already says either way.</summary>
    public static void PreferForThisProcess() => Prefer(Environment.GetEnvironmentVariable, Environment.SetEnvironmentVariable);

    /// <summary>The rule, over any environment: set <see cref="Variable"/> to 1 only when it is unset or empty.</summary>
    internal static void Prefer(Func<string, string?> get, Action<string, string> set)
    {
        if (string.IsNullOrEmpty(get(Variable)))
        {
            set(Variable, "1");
        }
    }
}
