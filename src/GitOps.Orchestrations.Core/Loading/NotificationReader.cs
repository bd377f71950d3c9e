using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Notifications;
using GitOps.Orchestrations.Core.Templating;
using GitOps.Orchestrations.Core.Validation;

namespace GitOps.Orchestrations.Core.Loading;

/// <summary>
/// Reads <c>notifications:</c>, a list of subscriptions. Trigger names, channel names and template
/// references are checked here, so a misspelt trigger is an error at load, not silence at run time.
/// Which channels exist is the host's to say: a name no host configures is reported when a run sends to it.
/// </summary>
internal static class NotificationReader
{
    public static IReadOnlyList<SubscriptionSpec> Read(string file, YNode? node, List<Diagnostic> diagnostics)
    {
        var subscriptions = new List<SubscriptionSpec>();
        if (node is null)
        {
            return subscriptions;
        }

        if (node is not YSequence sequence)
        {
            diagnostics.Add(new(file, node.Position, "notifications must be a list of subscriptions {on, to}"));
            return subscriptions;
        }

        foreach (YNode item in sequence.Items)
        {
            if (MappingReader.For(file, item, "a subscription", diagnostics) is not MappingReader reader)
            {
                continue;
            }

            List<string>? on = Names(reader, "on", name => NotificationTriggers.All.ContainsKey(name)
                ? null
                : $"unknown trigger '{name}' (known: {string.Join(", ", NotificationTriggers.All.Keys)})");
            List<string>? to = Names(reader, "to", name => DocumentNames.DnsLabel(name, "channel"));
            string? template = reader.String("template");
            bool required = reader.Boolean("required") ?? false;
            reader.RejectUnknown();
            if (template is not null && Template.References(template).FirstOrDefault(r => !SubscriptionSpec.TemplatePaths.Contains(r.Path)) is TemplateReference unknown)
            {
                SourcePosition at = reader.PositionOf("template")!.Value;
                reader.Error(at, $"template: '{{{{{unknown.Path}}}}}' is not something a notification knows (it knows: {string.Join(", ", SubscriptionSpec.TemplatePaths)})");
                continue;
            }

            if (on is not null && to is not null)
            {
                subscriptions.Add(new SubscriptionSpec(on, to, template, required));
            }
        }

        return subscriptions;
    }

    static List<string>? Names(MappingReader reader, string key, Func<string, string?> problem)
    {
        switch (reader.Node(key, required: true))
        {
            case YSequence { Items.Count: > 0 } list when list.Items.All(i => i is YScalar):
                var names = new List<string>();
                foreach (YScalar item in list.Items.Cast<YScalar>())
                {
                    if (problem(item.Value) is string wrong)
                    {
                        reader.Error(item.Position, wrong);
                        return null;
                    }

                    names.Add(item.Value);
                }

                return names;
            case YNode other:
                reader.Error(other.Position, $"{key} must be a non-empty list of names");
                return null;
            default:
                return null;
        }
    }
}
