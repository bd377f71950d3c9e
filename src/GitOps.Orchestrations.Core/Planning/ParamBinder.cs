using GitOps.Orchestrations.Core.Model;

namespace GitOps.Orchestrations.Core.Planning;

/// <summary>Binds the params a caller gave to the params a workflow declares, before anything is scheduled.</summary>
public static class ParamBinder
{
    public static IReadOnlyDictionary<string, string> Bind(WorkflowDefinition workflow, IReadOnlyDictionary<string, string>? given, out List<string> errors)
    {
        errors = [];
        given ??= new Dictionary<string, string>();
        var bound = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string name in given.Keys.Where(k => workflow.Params.All(p => p.Name != k)))
        {
            errors.Add($"workflow '{workflow.Name}' has no param '{name}' (it has: {string.Join(", ", workflow.Params.Select(p => p.Name))})");
        }

        foreach (ParamSpec param in workflow.Params)
        {
            string? value = given.TryGetValue(param.Name, out string? v) ? v : param.Default;
            if (value is null)
            {
                errors.Add($"param '{param.Name}' is required");
            }
            else if (param.Enum is { } allowed && !allowed.Contains(value))
            {
                errors.Add($"param '{param.Name}' must be one of {string.Join(", ", allowed)}, not '{value}'");
            }
            else
            {
                bound[param.Name] = value;
            }
        }

        return bound;
    }
}
