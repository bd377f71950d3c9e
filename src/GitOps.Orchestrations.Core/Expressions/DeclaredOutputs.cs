using System.Text.Json;
using GitOps.Orchestrations.Core.Templating;

namespace GitOps.Orchestrations.Core.Expressions;

/// <summary>
/// Declared outputs, a task's or a whole run's: each name's expression evaluated with the scope and
/// the extra <c>variables</c>. A failure names the output, so a caller never reads one that
/// silently went missing.
/// </summary>
public static class DeclaredOutputs
{
    public static void EvaluateInto(IReadOnlyDictionary<string, string> declared, Dictionary<string, JsonElement> outputs, ITemplateScope scope, IReadOnlyDictionary<string, JsonElement>? variables = null)
    {
        foreach (var (name, from) in declared)
        {
            try
            {
                outputs[name] = ExpressionLanguage.Compile(from).Evaluate(scope, variables);
            }
            catch (Exception e) when (e is ExpressionException or TemplateException)
            {
                throw new ExpressionException($"output '{name}': {e.Message}");
            }
        }
    }
}
