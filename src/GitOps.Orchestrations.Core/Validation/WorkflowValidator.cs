using System.Text.Json;
using GitOps.Orchestrations.Core.Expressions;
using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Templating;

namespace GitOps.Orchestrations.Core.Validation;

/// <summary>
/// Checks what only makes sense across tasks: unique names, <c>depends</c> that name real tasks and
/// form no cycle, templates that name real params and upstream outputs, and expressions that parse.
/// Everything here is reported before a run starts, never first at run time.
/// </summary>
public static class WorkflowValidator
{
    public static void Validate(WorkflowDocument document, ITaskTypeCatalog catalog, List<Diagnostic> diagnostics)
    {
        WorkflowDefinition workflow = document.Definition;
        SourceMap map = document.Map;
        var byName = new Dictionary<string, TaskSpec>(StringComparer.Ordinal);
        foreach (TaskSpec task in workflow.Tasks)
        {
            if (!byName.TryAdd(task.Name, task))
            {
                diagnostics.Add(new(map.File, map.Of(task.Name), $"duplicate task name '{task.Name}'"));
            }
        }

        var dependencies = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (TaskSpec task in byName.Values)
        {
            dependencies[task.Name] = CheckDepends(task, byName, map, diagnostics);
        }

        if (FindCycle(dependencies) is { } cycle)
        {
            diagnostics.Add(new(map.File, map.Of(cycle[0], "depends"), $"dependency cycle: {string.Join(" -> ", cycle)}"));
            return;
        }

        var ancestors = Ancestors(dependencies);
        foreach (TaskSpec task in byName.Values)
        {
            CheckTemplatesAndExpressions(task, workflow, byName, ancestors[task.Name], map, catalog, diagnostics);

            // A task's hooks see what it sees, and the task itself: its status and outputs.
            var seen = new HashSet<string>(ancestors[task.Name], StringComparer.Ordinal) { task.Name };
            foreach (TaskSpec hook in task.Hooks?.All ?? [])
            {
                CheckTemplatesAndExpressions(hook, workflow, byName, hook == task.Hooks!.Running ? ancestors[task.Name] : seen, map, catalog, diagnostics);
            }
        }

        var everyTask = byName.Keys.ToHashSet(StringComparer.Ordinal);
        foreach (TaskSpec hook in workflow.Hooks?.All ?? [])
        {
            CheckTemplatesAndExpressions(hook, workflow, byName, hook == workflow.Hooks!.Running ? new HashSet<string>() : everyTask, map, catalog, diagnostics, isExitHandler: hook != workflow.Hooks!.Running);
        }

        foreach (TaskSpec hook in workflow.Tasks.SelectMany(t => t.Hooks?.All ?? []).Concat(workflow.Hooks?.All ?? []).Where(h => byName.ContainsKey(h.Name)))
        {
            diagnostics.Add(new(map.File, map.Of(hook.Name), $"hook node '{hook.Name}' has the name of a task; rename the task"));
        }

        if (workflow.OnExit is TaskSpec onExit)
        {
            if (onExit.Depends is not null)
            {
                diagnostics.Add(new(map.File, map.Of(onExit.Name, "depends"), "onExit runs after every task; it cannot have depends"));
            }

            CheckTemplatesAndExpressions(onExit, workflow, byName, byName.Keys.ToHashSet(StringComparer.Ordinal), map, catalog, diagnostics, isExitHandler: true);
        }

        // The run's own outputs are evaluated when every task has finished, so they may read any task.
        var whole = new TaskSpec { Name = "outputs", Uses = "outputs" };
        foreach (var (name, from) in workflow.Outputs ?? new Dictionary<string, string>())
        {
            foreach (string problem in ExpressionReadProblems(from, whole, workflow, byName, byName.Keys.ToHashSet(StringComparer.Ordinal), isExitHandler: false))
            {
                diagnostics.Add(new(map.File, map.Of("outputs", $"outputs.{name}"), $"output '{name}': {problem}"));
            }
        }
    }

    static List<string> CheckDepends(TaskSpec task, Dictionary<string, TaskSpec> byName, SourceMap map, List<Diagnostic> diagnostics)
    {
        var upstream = new List<string>();
        if (task.Depends is null)
        {
            return upstream;
        }

        SourcePosition at = map.Of(task.Name, "depends");
        if (!DependsExpression.TryParse(task.Depends, out DependsExpression? expression, out string? error, out int column))
        {
            diagnostics.Add(new(map.File, at.Offset(column - 1), $"invalid depends: {error}"));
            return upstream;
        }

        foreach (DependsExpression.TaskReference reference in expression!.References)
        {
            if (reference.Task == task.Name)
            {
                diagnostics.Add(new(map.File, at.Offset(reference.Column - 1), $"task '{task.Name}' depends on itself"));
            }
            else if (!byName.TryGetValue(reference.Task, out TaskSpec? target))
            {
                diagnostics.Add(new(map.File, at.Offset(reference.Column - 1), $"depends names unknown task '{reference.Task}'"));
            }
            else
            {
                if (reference.Result is "AnySucceeded" or "AllFailed" && !target.IsFanOut)
                {
                    diagnostics.Add(new(map.File, at.Offset(reference.Column - 1), $"{reference.Task}.{reference.Result} only applies to fan-out tasks (withItems, withParam, withSequence)"));
                }

                upstream.Add(reference.Task);
            }
        }

        return upstream;
    }

    static void CheckTemplatesAndExpressions(
        TaskSpec task,
        WorkflowDefinition workflow,
        Dictionary<string, TaskSpec> byName,
        IReadOnlySet<string> ancestors,
        SourceMap map,
        ITaskTypeCatalog catalog,
        List<Diagnostic> diagnostics,
        bool isExitHandler = false)
    {
        // Expressions read params, tasks, item and workflow by name too; those names get the same checks as {{...}}.
        void CheckExpressionReads(string expression, SourcePosition at, string what)
        {
            foreach (string problem in ExpressionReadProblems(expression, task, workflow, byName, ancestors, isExitHandler))
            {
                diagnostics.Add(new(map.File, at, $"{what}: {problem}"));
            }
        }

        void CheckText(string text, SourcePosition at)
        {
            foreach (TemplateReference reference in Template.References(text))
            {
                string? problem = CheckReference(reference.Path, task, workflow, byName, ancestors, isExitHandler);
                if (problem is not null)
                {
                    diagnostics.Add(new(map.File, at.Offset(reference.Column - 1), problem));
                }
            }
        }

        if (task.Parallelism is not null && !task.IsFanOut)
        {
            diagnostics.Add(new(map.File, map.Of(task.Name), $"parallelism limits a fan-out's items; task '{task.Name}' has no withItems, withParam or withSequence (the workflow's spec.parallelism limits tasks)"));
        }

        if (task.Retry is { Limit: null } && workflow.Timeout is null)
        {
            diagnostics.Add(new(map.File, map.Of(task.Name, "retry"), "retry without a limit retries until success; give it a limit, or give the workflow a timeout that bounds it"));
        }

        if (task.When is string when)
        {
            SourcePosition at = map.Of(task.Name, "when");
            CheckText(when, at);
            string? problem = FieldChecks.CheckExpression(when, out SourcePosition inside);
            if (problem is not null)
            {
                diagnostics.Add(new(map.File, at.Offset(inside.Column - 1), $"invalid when: {problem}"));
            }
            else
            {
                CheckExpressionReads(when, at, "when");
            }
        }

        foreach (var (name, from) in task.Outputs ?? new Dictionary<string, string>())
        {
            CheckText(from, map.Of(task.Name, $"outputs.{name}"));
            CheckExpressionReads(from, map.Of(task.Name, $"outputs.{name}"), $"output '{name}'");
        }

        if (task.WithSequence is SequenceSpec sequence)
        {
            foreach (string bound in new[] { sequence.Count, sequence.Start, sequence.End }.OfType<string>())
            {
                CheckText(bound, map.Of(task.Name, "withSequence"));
            }
        }

        if (task.WithParam is string withParam)
        {
            CheckText(withParam, map.Of(task.Name, "withParam"));
            if (!Template.HasReferences(withParam) && !IsJsonArray(withParam))
            {
                diagnostics.Add(new(map.File, map.Of(task.Name, "withParam"), "withParam must be a JSON array or a {{...}} reference to one"));
            }
        }

        if (task.With is JsonElement with && with.ValueKind == JsonValueKind.Object)
        {
            catalog.TryGetSchema(task.Uses, out TaskTypeSchema? schema);
            foreach (JsonProperty property in with.EnumerateObject())
            {
                SourcePosition at = map.Of(task.Name, $"with.{property.Name}:value");
                if (schema?.Fields.GetValueOrDefault(property.Name) is { Kind: FieldKind.Expression } && property.Value.ValueKind == JsonValueKind.String
                    && FieldChecks.CheckExpression(property.Value.GetString()!, out _, schema.Fields[property.Name].Variables) is null)
                {
                    CheckExpressionReads(property.Value.GetString()!, at, $"with.{property.Name}");
                }

                foreach (TemplateReference reference in Template.References(property.Value))
                {
                    string? problem = CheckReference(reference.Path, task, workflow, byName, ancestors, isExitHandler);
                    if (problem is not null)
                    {
                        // Columns are only exact for one-line strings; the field's place is the useful part.
                        diagnostics.Add(new(map.File, property.Value.ValueKind == JsonValueKind.String ? at.Offset(reference.Column - 1) : at, $"with.{property.Name}: {problem}"));
                    }
                }
            }
        }
    }

    static IEnumerable<string> ExpressionReadProblems(
        string expression,
        TaskSpec task,
        WorkflowDefinition workflow,
        Dictionary<string, TaskSpec> byName,
        IReadOnlySet<string> ancestors,
        bool isExitHandler)
    {
        CompiledExpression compiled;
        try
        {
            compiled = ExpressionLanguage.Compile(expression);
        }
        catch (ExpressionException)
        {
            yield break;
        }

        foreach (string root in compiled.ComputedRoots.Where(r => r is "tasks" or "workflow"))
        {
            yield return $"read {root} by name ({root}.NAME), not with [...]";
        }

        foreach (string path in compiled.Paths.Where(p => !compiled.Paths.Any(longer => longer.StartsWith(p + ".", StringComparison.Ordinal))))
        {
            if (CheckExpressionPath(path, task, workflow, byName, ancestors, isExitHandler) is string problem)
            {
                yield return problem;
            }
        }

        if (compiled.Variables.Contains("item") && !task.IsFanOut)
        {
            yield return "item is only available in a fan-out task (withItems, withParam, withSequence)";
        }
    }

    static string? CheckReference(
        string path,
        TaskSpec task,
        WorkflowDefinition workflow,
        Dictionary<string, TaskSpec> byName,
        IReadOnlySet<string> ancestors,
        bool isExitHandler)
    {
        if (Template.ExpressionSource(path) is string expression)
        {
            return FieldChecks.CheckExpression(expression, out _) is string invalid ? $"invalid expression template '{{{{{path}}}}}': {invalid}"
                : ExpressionReadProblems(expression, task, workflow, byName, ancestors, isExitHandler).FirstOrDefault() is string problem ? $"'{{{{{path}}}}}': {problem}"
                : null;
        }

        if (!Template.IsValidPath(path))
        {
            return $"'{{{{{path}}}}}' is not a reference (use params.N, tasks.X.outputs.Y, tasks.X.status, item, item.field, workflow.FIELD or {{{{= expression}}}})";
        }

        string[] parts = path.Split('.');
        switch (parts[0])
        {
            case "params":
                if (parts.Length != 2)
                {
                    return $"'{{{{{path}}}}}': write params.NAME";
                }

                return workflow.Params.Any(p => p.Name == parts[1]) ? null : $"unknown param '{parts[1]}'";
            case "workflow":
                return CheckWorkflowPath(parts, workflow, isExitHandler);
            case "item":
                return task.IsFanOut ? null : $"'{{{{{path}}}}}' is only available in a fan-out task (withItems, withParam, withSequence)";
            case "tasks":
                if (!(parts.Length >= 4 && parts[2] == "outputs") && !(parts.Length == 3 && parts[2] == "status"))
                {
                    return $"'{{{{{path}}}}}': write tasks.NAME.outputs.OUTPUT or tasks.NAME.status";
                }

                if (!byName.ContainsKey(parts[1]))
                {
                    return $"unknown task '{parts[1]}'";
                }

                return ancestors.Contains(parts[1]) ? null : $"task '{task.Name}' uses {parts[2]} of '{parts[1]}' but does not depend on it";
            default:
                return $"unknown reference '{parts[0]}' (use params, tasks, item or workflow)";
        }
    }

    /// <summary>A path an expression reads by name, such as <c>params.env</c> or <c>tasks.build.outputs.image</c>.</summary>
    static string? CheckExpressionPath(
        string path,
        TaskSpec task,
        WorkflowDefinition workflow,
        Dictionary<string, TaskSpec> byName,
        IReadOnlySet<string> ancestors,
        bool isExitHandler)
    {
        string[] parts = path.Split('.');
        switch (parts[0])
        {
            case "params" when !workflow.Params.Any(p => p.Name == parts[1]):
                return $"unknown param '{parts[1]}'";
            case "workflow":
                // An expression may go on into a value (workflow.name.length); only the variable is checked.
                return CheckWorkflowPath(parts[..Math.Min(parts.Length, parts.Length > 1 && parts[1] is "labels" or "parameters" ? 3 : 2)], workflow, isExitHandler);
            case "tasks" when !byName.ContainsKey(parts[1]):
                return $"unknown task '{parts[1]}'";
            case "tasks" when !ancestors.Contains(parts[1]):
                return $"task '{task.Name}' reads tasks.{parts[1]} but does not depend on it";
            case "tasks" when parts.Length > 2 && parts[2] is not ("outputs" or "status"):
                return $"tasks.{parts[1]} offers outputs (tasks.{parts[1]}.outputs.NAME) and status, not '{parts[2]}'";
            default:
                return null;
        }
    }

    /// <summary>Argo's workflow variables: a field of <see cref="WorkflowInfo.Fields"/>, <c>labels.NAME</c> or <c>parameters.NAME|json</c>.</summary>
    static string? CheckWorkflowPath(string[] parts, WorkflowDefinition workflow, bool isExitHandler)
    {
        string offers = $"workflow offers {string.Join(", ", WorkflowInfo.Fields)}, labels.NAME and parameters.NAME|json";
        switch (parts.Length > 1 ? parts[1] : null)
        {
            case "labels" when parts.Length == 3:
                return workflow.Labels.ContainsKey(parts[2]) ? null : $"workflow has no label '{parts[2]}' (metadata.labels)";
            case "parameters" when parts.Length == 3:
                return parts[2] == "json" || workflow.Params.Any(p => p.Name == parts[2]) ? null : $"unknown param '{parts[2]}'";
            case "labels" or "parameters" when parts.Length == 2:
                return null;
            case "status" or "failures" when parts.Length == 2:
                return isExitHandler ? null : $"workflow.{parts[1]} is only known in onExit";
            case string field when parts.Length == 2 && WorkflowInfo.Fields.Contains(field):
                return null;
            default:
                return $"'{string.Join('.', parts)}': {offers}";
        }
    }

    static bool IsJsonArray(string text)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Array;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Returns one cycle as a path that starts and ends at the same task, or null.</summary>
    internal static List<string>? FindCycle(IReadOnlyDictionary<string, IReadOnlyList<string>> dependencies)
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 = on the path, 2 = done
        var path = new List<string>();
        foreach (string start in dependencies.Keys.Order(StringComparer.Ordinal))
        {
            if (Visit(start) is { } cycle)
            {
                return cycle;
            }
        }

        return null;

        List<string>? Visit(string node)
        {
            if (state.TryGetValue(node, out int s))
            {
                if (s == 1)
                {
                    int from = path.IndexOf(node);
                    return [.. path.Skip(from), node];
                }

                return null;
            }

            state[node] = 1;
            path.Add(node);
            foreach (string next in dependencies.GetValueOrDefault(node) ?? [])
            {
                if (Visit(next) is { } cycle)
                {
                    return cycle;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }
    }

    static Dictionary<string, IReadOnlySet<string>> Ancestors(IReadOnlyDictionary<string, IReadOnlyList<string>> dependencies)
    {
        var result = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        IReadOnlySet<string> Of(string task)
        {
            if (result.TryGetValue(task, out IReadOnlySet<string>? known))
            {
                return known;
            }

            var set = new HashSet<string>(StringComparer.Ordinal);
            foreach (string parent in dependencies.GetValueOrDefault(task) ?? [])
            {
                set.Add(parent);
                set.UnionWith(Of(parent));
            }

            result[task] = set;
            return set;
        }

        foreach (string task in dependencies.Keys)
        {
            Of(task);
        }

        return result;
    }
}
