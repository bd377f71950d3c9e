using System.Text.Json;
using GitOps.Orchestrations.Core.Expressions;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Templating;

namespace GitOps.Orchestrations.Core.Events;

/// <summary>What one trigger made of one event: it does not apply, it fired (with params and a revision), or its expressions failed on this payload.</summary>
public sealed record EventMatch(bool Fires, IReadOnlyDictionary<string, string> Params, string? Revision, string? Problem)
{
    static readonly EventMatch No = new(false, new Dictionary<string, string>(), null, null);

    /// <summary>
    /// Decides whether <paramref name="trigger"/> of <paramref name="workflow"/> fires for
    /// <paramref name="incoming"/>. The payload reaches the filter and param expressions only as
    /// variables, inside the expression sandbox, so a hostile payload can make them false or fail,
    /// never run anything; a failure is reported, not thrown, so one bad trigger does not stop the others.
    /// </summary>
    public static EventMatch Evaluate(WorkflowDefinition workflow, EventTriggerSpec trigger, IncomingEvent incoming)
    {
        if (!trigger.Hears(incoming))
        {
            return No;
        }

        IReadOnlyDictionary<string, JsonElement> variables = incoming.Variables();
        try
        {
            if (trigger.Filter is string filter && !ExpressionLanguage.EvaluateBoolean(filter, variables))
            {
                return No;
            }

            var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, expression) in trigger.Params ?? new Dictionary<string, string>())
            {
                JsonElement value = ExpressionLanguage.Evaluate(expression, variables);
                if (value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
                {
                    if (workflow.Params.FirstOrDefault(p => p.Name == name)?.Default is null)
                    {
                        return new EventMatch(false, new Dictionary<string, string>(), null, $"param '{name}': '{expression}' has no value in this event");
                    }

                    continue;   // the param's default applies
                }

                parameters[name] = Template.AsText(value);
            }

            string? revision = null;
            if (trigger.Revision is string revisionExpression)
            {
                JsonElement value = ExpressionLanguage.Evaluate(revisionExpression, variables);
                revision = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
                if (revision is null || !IsCommitish(revision))
                {
                    return new EventMatch(false, new Dictionary<string, string>(), null, $"revision: '{revisionExpression}' gave no commit in this event");
                }
            }

            return new EventMatch(true, parameters, revision, null);
        }
        catch (Exception e) when (e is ExpressionException or TemplateException)
        {
            return new EventMatch(false, new Dictionary<string, string>(), null, e.Message);
        }
    }

    /// <summary>A revision from an event names a commit or a ref; anything else (options, paths) is refused before Git sees it.</summary>
    static bool IsCommitish(string revision) =>
        revision.Length is > 0 and <= 255
        && !revision.StartsWith('-')
        && !revision.Contains("..", StringComparison.Ordinal)
        && revision.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '-' or '_' or '.');
}
