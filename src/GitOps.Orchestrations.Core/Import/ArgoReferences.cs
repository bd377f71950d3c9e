using System.Text.RegularExpressions;

namespace GitOps.Orchestrations.Core.Import;

/// <summary>
/// Argo's <c>{{...}}</c> references, spelt as this engine spells them: <c>inputs.parameters.X</c>
/// becomes <c>params.X</c>, <c>steps.X</c> becomes <c>tasks.X</c>, <c>outputs.parameters.P</c>
/// becomes <c>outputs.P</c>. A reference with no counterpart is a problem the caller reports at its field.
/// </summary>
public sealed partial class ArgoReferences
{
    /// <summary>For a leaf template written into its caller: each input's text, already in the caller's spelling.</summary>
    public IReadOnlyDictionary<string, string>? Arguments { get; init; }

    /// <summary>The leaf template being written into its caller, to name it when one of its inputs has no value.</summary>
    public string TemplateName { get; init; } = "";

    /// <summary>Where <c>{{workflow.status}}</c> and <c>{{workflow.failures}}</c> come from in the text being rewritten.</summary>
    public ArgoStatus Status { get; set; }

    public List<string> Problems { get; } = [];

    public List<string> Changes { get; } = [];

    /// <summary>Rewrites every <c>{{...}}</c> of a string written in the source.</summary>
    public string Rewrite(string text)
    {
        if (!text.Contains("{{", StringComparison.Ordinal))
        {
            return text;
        }

        return Reference().Replace(text, match =>
        {
            string inner = match.Groups[1].Value.Trim();
            if (inner.StartsWith('='))
            {
                string? script = ArgoExpressions.Translate(inner[1..], ArgoExpressions.Dialect.Expr, this, inTemplate: true);
                return script is null ? Unmapped(inner) : $"{{{{= {script} }}}}";
            }

            return Path(inner) is { } mapped ? mapped : Unmapped(inner);
        });
    }

    /// <summary>The text a reference turns into: a <c>{{...}}</c> of this engine, or an argument's text for a leaf's input.</summary>
    public string? Path(string path)
    {
        string[] parts = path.Split('.');
        switch (parts)
        {
            case ["inputs", "parameters", var name]:
                if (Arguments is null)
                {
                    return $"{{{{params.{name}}}}}";
                }

                if (Arguments.TryGetValue(name, out string? value))
                {
                    return value;
                }

                Problems.Add($"input '{name}' of template '{TemplateName}' has neither an argument nor a default");
                return null;
            case ["workflow", "uid"]:
                Changes.Add("{{workflow.uid}} is {{workflow.id}} here, the run's id");
                return "{{workflow.id}}";
            case ["workflow", "status" or "failures"] when Status == ArgoStatus.Running:
                Changes.Add($"{{{{{path}}}}} is only known in exit handlers here; before them Argo's value is {(parts[1] == "status" ? "Running, which is written" : "an empty list, which is written")}");
                return ArgoStatusValues.Of(Status, parts[1]);
            case ["workflow", "status" or "failures"] when Status == ArgoStatus.Inputs:
                return ArgoStatusValues.Of(Status, parts[1]);
            case ["workflow", "name" or "status" or "failures" or "duration" or "creationTimestamp"]:
            case ["workflow", "parameters", _]:
            case ["workflow", "labels", _]:
            case ["item", ..]:
                return $"{{{{{path}}}}}";
            case ["steps" or "tasks", var task, "outputs", "result"]:
                return $"{{{{tasks.{task}.outputs.result}}}}";
            case ["steps" or "tasks", var task, "outputs", "parameters", var name]:
                return $"{{{{tasks.{task}.outputs.{name}}}}}";
            case ["steps" or "tasks", var task, "status"]:
                return $"{{{{tasks.{task}.status}}}}";
            case ["steps" or "tasks", var task, "exitCode"]:
                return $"{{{{tasks.{task}.outputs.exitCode}}}}";
            case ["workflow", "outputs", ..]:
            case [_, _, "outputs", "artifacts", ..]:
            case ["inputs", "artifacts", ..]:
                Problems.Add($"{{{{{path}}}}}: artifacts are not offered");
                return null;
            default:
                Problems.Add($"{{{{{path}}}}} has no counterpart here");
                return null;
        }
    }

    /// <summary>A reference with no counterpart is written as visible text, never as a template that would fail at run time.</summary>
    static string Unmapped(string inner) => $"(not imported: {inner.Replace("{", "", StringComparison.Ordinal).Replace("}", "", StringComparison.Ordinal)})";

    [GeneratedRegex(@"\{\{(.*?)\}\}", RegexOptions.Singleline)]
    private static partial Regex Reference();
}

/// <summary>
/// Where an exit handler's <c>{{workflow.status}}</c> comes from. In the workflow's own exit handler
/// and end hooks it is known; before them Argo's value is <c>Running</c>; in a dag or steps template
/// that an exit handler calls, it is an input the call passes, since a template runs as a run of its own.
/// </summary>
public enum ArgoStatus
{
    Running,
    Known,
    Inputs,
}

public static class ArgoStatusValues
{
    public const string StatusInput = "workflow-status";

    public const string FailuresInput = "workflow-failures";

    /// <summary>The text <c>{{workflow.status}}</c> (<paramref name="field"/> <c>status</c>) or <c>{{workflow.failures}}</c> becomes.</summary>
    public static string Of(ArgoStatus status, string field) => status switch
    {
        ArgoStatus.Running => field == "status" ? "Running" : "[]",
        ArgoStatus.Inputs => $"{{{{params.{(field == "status" ? StatusInput : FailuresInput)}}}}}",
        _ => $"{{{{workflow.{field}}}}}",
    };
}
