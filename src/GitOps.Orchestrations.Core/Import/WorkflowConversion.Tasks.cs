using System.Text.RegularExpressions;
using GitOps.Orchestrations.Core.Loading;
using static GitOps.Orchestrations.Core.Import.ArgoDocument;

namespace GitOps.Orchestrations.Core.Import;

/// <summary>Tasks: a dag's tasks as they are, steps as a DAG of groups, and what each task calls.</summary>
sealed partial class WorkflowConversion
{
    static readonly string[] TaskFields =
        ["name", "template", "templateRef", "inline", "arguments", "depends", "dependencies", "when", "withItems", "withParam", "withSequence", "continueOn", "hooks", "onExit"];

    /// <summary>The tasks of a dag or steps template; a dag's <c>failFast</c> goes on <paramref name="owner"/>'s spec.</summary>
    YamlList Body(YMapping template, string name, YamlMap owner)
    {
        var tasks = new YamlList();
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (Map(template["dag"]) is YMapping dag)
        {
            foreach (YNode node in List(dag["tasks"]))
            {
                if (Map(node) is YMapping task && Task(task, name, previousGroup: null, names) is YamlMap converted)
                {
                    tasks.Add(converted, doc.From(task));
                }
            }

            if (Text(dag["failFast"]) is string failFast)
            {
                owner.Add("failFast", YamlOut.Raw(failFast));
            }

            doc.Rest(dag, $"template {name}.dag", ["tasks", "failFast"], new Dictionary<string, string> { ["target"] = "a run runs the whole DAG; targets are not offered" });
        }
        else
        {
            // Steps: each group runs when the group before has ended, as tasks depending on every task of it.
            List<string> previous = [];
            foreach (YNode group in List(template["steps"]))
            {
                IEnumerable<YNode> steps = group is YMapping oldStyle
                    ? oldStyle.Entries.Select(e => (YNode)new YMapping(e.Value.Position, [new(new YScalar(e.Key.Position, "name", true), e.Key), .. (Map(e.Value)?.Entries ?? [])]))
                    : List(group);
                List<string> current = [];
                foreach (YMapping step in steps.OfType<YMapping>())
                {
                    if (Task(step, name, previous, names) is YamlMap converted)
                    {
                        tasks.Add(converted, doc.From(step));
                        current.Add(((YamlText)converted["name"]!).Value);
                    }
                }

                previous = current.Count > 0 ? current : previous;
            }
        }

        doc.Rest(template, $"template {name}", ["name", "dag", "steps", "inputs", "outputs", "parallelism", "metadata"]);
        return tasks;
    }

    YamlMap? Task(YMapping source, string owner, List<string>? previousGroup, HashSet<string> names)
    {
        if (Text(source["name"]) is not string argoTaskName)
        {
            doc.Error(source, $"template {owner}", "a task needs a name");
            return null;
        }

        string name = DnsTaskName(argoTaskName);
        if (!names.Add(name))
        {
            string renamed = $"{name}-{names.Count}";
            doc.Change(source, $"task {argoTaskName}", $"a second step of this name is written '{renamed}': task names are unique here");
            name = renamed;
            names.Add(name);
        }
        else if (name != argoTaskName)
        {
            doc.Change(source, $"task {argoTaskName}", $"written '{name}': task names hold letters, digits, '_' and '-'");
        }

        var task = new YamlMap().Add("name", name);
        string construct = $"task {name}";
        if (previousGroup is { Count: > 0 })
        {
            task.Add("depends", string.Join(" && ", previousGroup));
        }

        if (Text(source["depends"]) is string depends)
        {
            if (depends.Contains(".Daemoned", StringComparison.Ordinal))
            {
                doc.Drop(source["depends"]!, $"{construct}.depends", "daemon steps are not offered: .Daemoned is never true");
            }

            task.Add("depends", depends);
        }

        if (source["dependencies"] is YSequence dependencies)
        {
            task.Add("dependencies", doc.Copy(dependencies));
        }

        if (source["when"] is YNode whenNode && Text(whenNode) is string when)
        {
            string? condition = ArgoExpressions.Translate(when, ArgoExpressions.Dialect.Govaluate, references);
            doc.Report(whenNode, $"{construct}.when", references);
            task.Add("when", condition ?? "false");
        }

        if (source["withItems"] is YNode items)
        {
            task.Add("withItems", Rewritten(items, $"{construct}.withItems"));
        }

        if (source["withParam"] is YNode withParam)
        {
            // A list that cannot be read is written as an empty one: the task fans out over nothing rather than guessing.
            bool unmapped = references.Rewrite(Text(withParam) ?? "").Contains("(not imported:", StringComparison.Ordinal);
            references.Problems.Clear();
            references.Changes.Clear();
            task.Add("withParam", unmapped ? YamlOut.Text("[]") : Rewritten(withParam, $"{construct}.withParam"));
            if (unmapped)
            {
                Rewritten(withParam, $"{construct}.withParam");
            }
        }

        if (source["withSequence"] is YNode sequence)
        {
            task.Add("withSequence", Rewritten(sequence, $"{construct}.withSequence"));
        }

        Call(source, owner, task, construct);
        if (source["continueOn"] is YMapping continueOn)
        {
            task.Add("continueOn", doc.Copy(continueOn));
        }

        Hooks(source, owner, task, construct, workflow: false);
        doc.Rest(source, construct, TaskFields);
        return task;
    }

    YamlOut Rewritten(YNode node, string construct)
    {
        YamlOut copy = doc.Copy(node, references.Rewrite);
        doc.Report(node, construct, references);
        return copy;
    }

    /// <summary>What a task (or hook) runs: a leaf template written in, or a template called by <c>templateRef</c>.</summary>
    void Call(YMapping source, string owner, YamlMap task, string construct)
    {
        Dictionary<string, string> arguments = Arguments(source["arguments"], construct);
        if (Text(source["template"]) is string called)
        {
            if (!templates.TryGetValue(called, out YMapping? template))
            {
                doc.Error(source["template"]!, $"{construct}.template", $"no template '{called}' in this document");
                Placeholder(task, $"template '{called}'");
            }
            else if (cyclic.Contains((owner, called)))
            {
                doc.Drop(source["template"]!, $"{construct}.template", $"'{owner}' calls '{called}', which calls it back: recursive templates are not offered (a call cycle is refused here)");
                Placeholder(task, $"the recursive call of '{called}'");
            }
            else if (IsBody(template))
            {
                Queue(called);
                task.Add("templateRef", new YamlMap().Add("name", TemplateName(called)));
                if (exitTemplates.Contains(called))
                {
                    arguments[ArgoStatusValues.StatusInput] = ArgoStatusValues.Of(status, "status");
                    arguments[ArgoStatusValues.FailuresInput] = ArgoStatusValues.Of(status, "failures");
                }

                AddArguments(task, arguments);
            }
            else
            {
                Leaf(template, called, arguments, task);
            }
        }
        else if (Map(source["templateRef"]) is YMapping reference)
        {
            string library = Text(reference["name"]) ?? "";
            string template = Text(reference["template"]) ?? "";
            string name = ArgoIndex.TemplateName(library, template);
            if (doc.Index.Spec(library) is null)
            {
                doc.Change(reference, $"{construct}.templateRef", $"WorkflowTemplate '{library}' was not among the files imported: import it into the same folder, where '{name}' will be found");
            }

            task.Add("templateRef", new YamlMap().Add("name", name));
            AddArguments(task, arguments);
        }
        else if (Map(source["inline"]) is YMapping inline && !IsBody(inline))
        {
            Leaf(inline, $"{owner}.{Text(source["name"])}", arguments, task);
        }
        else
        {
            doc.Drop(source, construct, "needs a template or templateRef (an inline dag or steps is not offered)");
            Placeholder(task, "an inline template");
        }
    }

    static void AddArguments(YamlMap task, Dictionary<string, string> arguments)
    {
        if (arguments.Count > 0)
        {
            var with = new YamlMap();
            foreach (var (name, value) in arguments)
            {
                with.Add(name, value);
            }

            task.Add("with", with);
        }
    }

    /// <summary>A call's <c>arguments.parameters</c>, each value in this engine's spelling.</summary>
    Dictionary<string, string> Arguments(YNode? node, string construct)
    {
        var arguments = new Dictionary<string, string>(StringComparer.Ordinal);
        YMapping? holder = Map(node);
        if (holder?["artifacts"] is YNode artifacts)
        {
            doc.Drop(artifacts, $"{construct}.arguments.artifacts", ArgoDefaults.WhyDropped["artifacts"]);
        }

        foreach (YMapping parameter in List(holder?["parameters"]).OfType<YMapping>())
        {
            if (Text(parameter["name"]) is string name && Text(parameter["value"]) is string value)
            {
                arguments[name] = references.Rewrite(value);
                doc.Report(parameter, $"{construct}.arguments.{name}", references);
            }
            else if (parameter["valueFrom"] is YNode from)
            {
                doc.Drop(from, $"{construct}.arguments", "an argument's valueFrom is not offered; write its value");
            }
        }

        return arguments;
    }

    static void Placeholder(YamlMap task, string what) =>
        task.Add("uses", "log").Add("with", new YamlMap().Add("message", string.Format(System.Globalization.CultureInfo.InvariantCulture, ArgoDefaults.PlaceholderMessage, what)));

    /// <summary>
    /// Argo's lifecycle hooks: <c>exit</c> is <c>onExit</c>; a hook whose expression asks for a
    /// status of the task (or of the workflow) is this engine's <c>running</c>, <c>succeeded</c> or <c>failed</c> hook.
    /// </summary>
    void Hooks(YMapping source, string owner, YamlMap target, string construct, bool workflow)
    {
        var hooks = new YamlMap();
        if (Text(source["onExit"]) is string exit && templates.ContainsKey(exit))
        {
            YamlMap step = Step(new YMapping(source["onExit"]!.Position, [new(new YScalar(source["onExit"]!.Position, "template", true), source["onExit"]!)]), owner, $"{construct}.onExit", endOfWorkflow: workflow);
            if (workflow)
            {
                target.Add("onExit", step);
            }
            else
            {
                hooks.Add("exit", step);
            }
        }
        else if (source["onExit"] is YNode unknown)
        {
            doc.Error(unknown, $"{construct}.onExit", "names no template of this document");
        }

        if (Map(source["hooks"]) is YMapping argoHooks)
        {
            foreach (var (key, value) in argoHooks.Entries)
            {
                if (Map(value) is not YMapping hook)
                {
                    continue;
                }

                string? @event = key.Value == "exit" ? "exit" : HookEvent(Text(hook["expression"]) ?? "");
                if (@event is null)
                {
                    doc.Drop(key, $"{construct}.hooks.{key.Value}", $"a hook runs on its task's events here (running, succeeded, failed, exit), not on the expression '{Text(hook["expression"])}'");
                    continue;
                }

                YamlMap step = Step(hook, owner, $"{construct}.hooks.{key.Value}", endOfWorkflow: workflow && @event != "running");
                if (workflow && @event == "exit")
                {
                    target.Add("onExit", step);
                }
                else
                {
                    hooks.Add(@event, step);
                }
            }
        }

        if (hooks.Entries.Count > 0)
        {
            target.Add("hooks", hooks);
        }
    }

    YamlMap Step(YMapping hook, string owner, string construct, bool endOfWorkflow = false)
    {
        var step = new YamlMap();
        ArgoStatus before = status;
        status = references.Status = endOfWorkflow ? ArgoStatus.Known : status;
        Call(hook, owner, step, construct);
        status = references.Status = before;
        doc.Rest(hook, construct, ["template", "templateRef", "arguments", "expression"]);
        return step;
    }

    static string? HookEvent(string expression)
    {
        Match match = StatusTest().Match(expression);
        return !match.Success ? null : match.Groups["status"].Value switch
        {
            "Running" => "running",
            "Succeeded" => "succeeded",
            _ => "failed",
        };
    }

    void WorkflowHooks(YMapping spec, YamlMap output) => Hooks(spec, Text(spec["entrypoint"]) ?? "", output, "spec", workflow: true);

    /// <summary>A task name as this engine accepts it; names that already fit are kept as written.</summary>
    static string DnsTaskName(string name)
    {
        string cleaned = Regex.Replace(name, "[^A-Za-z0-9_-]", "-").TrimStart('-', '_');
        return cleaned.Length == 0 ? "task" : cleaned.Length > 63 ? cleaned[..63] : cleaned;
    }

    [GeneratedRegex(@"^\s*(?:(?:steps|tasks)(?:\.[\w-]+|\[['""][\w-]+['""]\])\.status|workflow\.status)\s*==\s*['""](?<status>Running|Succeeded|Failed|Error)['""]\s*\z")]
    private static partial Regex StatusTest();
}
