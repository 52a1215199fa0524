using Decnet.Mutator.Events.Tests.Support;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Decnet.Mutator.Events.Tests.Syslog;

public sealed class RoundTripProperties
{
    [Property(MaxTest = 10000)]
    public Property ParseOfFormat_IsIdentity_ForHostileValidEvents()
        => Prop.ForAll(EventGenerators.Event.ToArbitrary(), expected =>
        {
            var line = DeckyMutatedLineFormatter.Format(expected);
            var oneLine = line.IndexOf('\n', StringComparison.Ordinal) == line.Length - 1;
            var strict = Rfc5424Parser.Parse(line).Success;
            return oneLine && strict && DeckyMutatedEvent.TryParse(line, out var actual, out _) && expected.Equals(actual);
        });

    [Property(MaxTest = 2000)]
    public Property InvalidField_IsRejected_NamingTheField()
    {
        var corruption =
            from valid in EventGenerators.Event
            from field in Gen.Elements("decky", "oldServices", "newServices", "actor")
            from bad in Gen.Elements(' ', ',', '"', '\\', ']', '=', '\n', '\r', '\0', '.', 'é', '\u0085')
            from position in Gen.Choose(0, 100)
            select (valid, field, bad, position);

        return Prop.ForAll(corruption.ToArbitrary(), c =>
        {
            var (valid, field, bad, position) = c;
            string Insert(string s) => s.Insert(position % (s.Length + 1), bad.ToString());
            var decky = valid.Decky;
            var oldServices = valid.OldServices.ToArray();
            var newServices = valid.NewServices.ToArray();
            var actor = valid.Actor;
            var trigger = valid.Trigger;
            if (bad == '.' && field is "oldServices" or "newServices")
            {
                // '.' is fine in a service name (it is only a topic separator, and services are not topic tokens).
                return true;
            }

            switch (field)
            {
                case "decky":
                    decky = Insert(decky);
                    break;
                case "oldServices":
                    trigger = MutationTrigger.Operator;
                    oldServices = [Insert(oldServices.FirstOrDefault() ?? "svc"), .. oldServices.Skip(1)];
                    break;
                case "newServices":
                    trigger = MutationTrigger.Operator;
                    newServices = [Insert(newServices.FirstOrDefault() ?? "svc"), .. newServices.Skip(1)];
                    break;
                default:
                    // Only control characters are invalid in the free-text actor.
                    if (!char.IsControl(bad))
                    {
                        return true;
                    }

                    actor = Insert(actor ?? "someone");
                    break;
            }

            var ex = Record.Exception(() => new DeckyMutatedEvent(valid.Timestamp, decky, oldServices, newServices, trigger, actor));
            return ex is ArgumentException argument && argument.ParamName == field;
        });
    }
}
