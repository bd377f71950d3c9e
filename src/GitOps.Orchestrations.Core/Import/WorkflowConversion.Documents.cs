using GitOps.Orchestrations.Core.Loading;
using static GitOps.Orchestrations.Core.Import.ArgoDocument;

namespace GitOps.Orchestrations.Core.Import;

/// <summary>The documents: the workflow itself, and a WorkflowTemplate for each called dag or steps template.</summary>
sealed partial class WorkflowConversion
{
    static readonly string[] WorkflowFields =
        ["entrypoint", "arguments", "templates", "onExit", "hooks", "parallelism", "activeDeadlineSeconds", "synchronization", "workflowTemplateRef"];

    static readonly string[] CronFields =
        ["schedule", "schedules", "timezone", "concurrencyPolicy", "startingDeadlineSeconds", "workflowSpec", "workflowMetadata"];

    void EmitWorkflow(YMapping metadata, YMapping spec, YMapping? cron)
    {
        string name = DnsLabel(argoName);
        if (name != argoName)
        {
            doc.Change(metadata, "metadata.name", $"'{argoName}' is written '{name}': workflow names here are DNS labels");
        }

        FindExitTemplates(spec);
        YamlMap document = Header("Workflow", name);
        var meta = (YamlMap)document["metadata"]!;
        if (Map(metadata["annotations"]) is YMapping annotations && Text(annotations["workflows.argoproj.io/description"]) is string description)
        {
            meta.Add("description", description.Trim());
        }

        if (metadata["labels"] is YMapping labels)
        {
            meta.Add("labels", doc.Copy(labels));
        }

        var output = new YamlMap();
        YamlList parameters = Params(spec["arguments"], "spec.arguments");
        YamlList tasks;
        if (Map(spec["workflowTemplateRef"]) is YMapping reference)
        {
            tasks = CallLibrary(reference, parameters);
        }
        else if (Text(spec["entrypoint"]) is not string entry || !templates.TryGetValue(entry, out YMapping? entryTemplate))
        {
            doc.Error(spec, "spec.entrypoint", "names no template of this workflow");
            return;
        }
        else
        {
            AddInputs(parameters, entryTemplate);
            if (Map(entryTemplate["outputs"]) is YMapping entryOutputs)
            {
                doc.Drop(entryOutputs, $"template {entry}.outputs", "a workflow's results are its tasks' outputs; the entrypoint's own outputs are not offered");
            }

            tasks = IsBody(entryTemplate) ? Body(entryTemplate, entry, output) : new YamlList();
            if (!IsBody(entryTemplate))
            {
                var task = new YamlMap().Add("name", DnsTaskName(entry));
                Leaf(entryTemplate, entry, arguments: null, task);
                tasks.Add(task, doc.From(entryTemplate));
            }

            // Argo bounds the entrypoint's children by both the workflow's and the template's parallelism: the smaller wins.
            int? bound = new[] { Text(entryTemplate["parallelism"]), Text(spec["parallelism"]) }
                .Select(p => int.TryParse(p, out int n) ? n : (int?)null).Where(n => n is not null).Min();
            if (bound is not null)
            {
                output.Add("parallelism", YamlOut.Raw(bound.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
        }

        if (parameters.Items.Count > 0)
        {
            output.Add("params", parameters);
        }

        if (Text(spec["activeDeadlineSeconds"]) is string deadline)
        {
            output.Add("timeout", Duration(deadline));
        }

        if (Map(spec["synchronization"]) is YMapping synchronization)
        {
            output.Add("synchronization", Synchronization(synchronization));
        }

        if (cron is not null)
        {
            output.Add("schedules", Schedules(cron));
            doc.Rest(cron, "spec", CronFields, new Dictionary<string, string>
            {
                ["successfulJobsHistoryLimit"] = "runs are kept for the server's retention",
                ["failedJobsHistoryLimit"] = "runs are kept for the server's retention",
                ["suspend"] = "a suspended schedule is a schedule removed from Git here",
            });
        }

        WorkflowHooks(spec, output);
        output.Add("tasks", tasks);
        document.Add("spec", output);
        doc.Rest(spec, "spec", WorkflowFields);
        doc.Output.Add((document, $"{doc.From(doc.Root)} ({doc.Kind} {argoName})"));
    }

    void FindExitTemplates(YMapping spec)
    {
        var start = new List<string>();
        if (Text(spec["onExit"]) is string onExit)
        {
            start.Add(onExit);
        }

        foreach (var (key, value) in Map(spec["hooks"])?.Entries ?? [])
        {
            if (Map(value) is YMapping hook && Text(hook["template"]) is string called
                && (key.Value == "exit" || HookEvent(Text(hook["expression"]) ?? "") is "succeeded" or "failed"))
            {
                start.Add(called);
            }
        }

        var walk = new Stack<string>(start);
        while (walk.TryPop(out string? name))
        {
            if (templates.TryGetValue(name, out YMapping? template) && IsBody(template) && exitTemplates.Add(name))
            {
                foreach (string called in Calls(template))
                {
                    walk.Push(called);
                }
            }
        }
    }

    /// <summary>A Workflow that runs an Argo WorkflowTemplate (<c>workflowTemplateRef</c>) is one task calling its entrypoint.</summary>
    YamlList CallLibrary(YMapping reference, YamlList parameters)
    {
        string library = Text(reference["name"]) ?? "";
        YMapping? spec = doc.Index.Spec(library);
        string? entry = spec is null ? null : Text(spec["entrypoint"]);
        if (spec is null || entry is null)
        {
            doc.Drop(reference, "workflowTemplateRef", $"the WorkflowTemplate '{library}' (with an entrypoint) is not among the files imported; import them together");
            return new YamlList();
        }

        var known = parameters.Items.Select(i => ((YamlMap)i.Value)["name"] is YamlText t ? t.Value : "").ToHashSet(StringComparer.Ordinal);
        foreach (YamlItem inherited in Params(spec["arguments"], "spec.arguments").Items.Where(i => ((YamlMap)i.Value)["name"] is YamlText t && !known.Contains(t.Value)))
        {
            parameters.Add(inherited.Value, inherited.Comment);
        }

        var with = new YamlMap();
        foreach (YamlItem parameter in parameters.Items)
        {
            string name = ((YamlText)((YamlMap)parameter.Value)["name"]!).Value;
            with.Add(name, $"{{{{params.{name}}}}}");
        }

        var task = new YamlMap().Add("name", "main").Add("templateRef", new YamlMap().Add("name", ArgoIndex.TemplateName(library, entry)));
        if (with.Entries.Count > 0)
        {
            task.Add("with", with);
        }

        return new YamlList().Add(task, doc.From(reference));
    }

    /// <summary>An Argo WorkflowTemplate is a library: each of its templates becomes one of this engine's.</summary>
    void EmitLibrary(YMapping spec)
    {
        foreach (string template in templates.Keys)
        {
            Queue(template);
        }

        if (spec["arguments"] is YNode arguments)
        {
            doc.Change(arguments, "spec.arguments", "a WorkflowTemplate's arguments reach the workflows that run it (workflowTemplateRef) as their params");
        }

        doc.Rest(spec, "spec", ["templates", "entrypoint", "arguments"]);
    }

    void EmitTemplate(string template)
    {
        YMapping source = templates[template];
        YamlMap document = Header("WorkflowTemplate", TemplateName(template));
        var output = new YamlMap();
        var inputs = new YamlList();
        AddInputs(inputs, source);
        ArgoStatus before = status;
        if (exitTemplates.Contains(template))
        {
            // An exit handler's template runs as a run of its own: the status it reads is passed in.
            inputs.Add(new YamlMap().Add("name", ArgoStatusValues.StatusInput).Add("default", "Running"));
            inputs.Add(new YamlMap().Add("name", ArgoStatusValues.FailuresInput).Add("default", "[]"));
            status = references.Status = ArgoStatus.Inputs;
        }

        if (inputs.Items.Count > 0)
        {
            output.Add("inputs", inputs);
        }

        if (IsBody(source))
        {
            YamlList tasks = Body(source, template, output);
            output.Add("tasks", tasks);
            if (BodyOutputs(source) is YamlMap outputs)
            {
                output.Add("outputs", outputs);
            }

            if (Text(source["parallelism"]) is string && source["parallelism"] is YNode at)
            {
                doc.Drop(at, $"template {template}.parallelism", "a called template's own parallelism is not offered; set parallelism on the workflow or on a fan-out task");
            }
        }
        else
        {
            var task = new YamlMap();
            Leaf(source, template, arguments: null, task);
            output.Add("task", task);
        }

        status = references.Status = before;
        document.Add("spec", output);
        doc.Output.Add((document, $"{doc.From(source)} (template {template} of {doc.Kind} {argoName})"));
    }

    /// <summary>Params from Argo's <c>arguments.parameters</c> or <c>inputs.parameters</c>: a value is the default.</summary>
    YamlList Params(YNode? arguments, string where)
    {
        var list = new YamlList();
        YMapping? holder = Map(arguments);
        if (holder?["artifacts"] is YNode artifacts)
        {
            doc.Drop(artifacts, $"{where}.artifacts", ArgoDefaults.WhyDropped["artifacts"]);
        }

        foreach (YMapping parameter in List(holder?["parameters"]).OfType<YMapping>())
        {
            if (Text(parameter["name"]) is not string name)
            {
                doc.Error(parameter, where, "a parameter needs a name");
                continue;
            }

            var param = new YamlMap().Add("name", name);
            if (Text(parameter["value"] ?? parameter["default"]) is string value)
            {
                param.Add("default", value);
            }

            if (parameter["enum"] is YSequence values)
            {
                param.Add("enum", doc.Copy(values, v => v));
            }

            param.Add("description", Text(parameter["description"]));
            if (parameter["valueFrom"] is YNode from)
            {
                doc.Drop(from, $"{where}.{name}.valueFrom", "a parameter is given when the run starts; ConfigMaps are not read");
            }

            list.Add(param);
        }

        return list;
    }

    /// <summary>The entry template's inputs that the workflow's arguments do not already name, as params.</summary>
    void AddInputs(YamlList parameters, YMapping template)
    {
        var known = parameters.Items.Select(i => ((YamlMap)i.Value)["name"] is YamlText t ? t.Value : "").ToHashSet(StringComparer.Ordinal);
        foreach (YamlItem input in Params(template["inputs"], $"template {Text(template["name"])}.inputs").Items)
        {
            if (((YamlMap)input.Value)["name"] is YamlText name && known.Add(name.Value))
            {
                parameters.Add(input.Value);
            }
        }
    }

    /// <summary>A dag or steps template's <c>outputs.parameters</c> taken from its tasks' outputs.</summary>
    YamlMap? BodyOutputs(YMapping template)
    {
        var outputs = new YamlMap();
        YMapping? declared = Map(template["outputs"]);
        if (declared?["artifacts"] is YNode artifacts)
        {
            doc.Drop(artifacts, "outputs.artifacts", ArgoDefaults.WhyDropped["artifacts"]);
        }

        foreach (YMapping parameter in List(declared?["parameters"]).OfType<YMapping>())
        {
            string name = Text(parameter["name"]) ?? "";
            if (Text(Map(parameter["valueFrom"])?["parameter"]) is string from)
            {
                string rewritten = references.Rewrite(from.Trim());
                doc.Report(parameter, $"outputs.{name}", references);
                outputs.Add(name, new YamlMap().Add("from", rewritten), doc.From(parameter));
            }
            else if (Map(parameter["valueFrom"])?["expression"] is YNode expressionNode && Text(expressionNode) is string expression
                && ArgoExpressions.Translate(expression, ArgoExpressions.Dialect.Expr, references) is string translated)
            {
                doc.Report(expressionNode, $"outputs.{name}", references);
                outputs.Add(name, new YamlMap().Add("from", translated), doc.From(parameter));
            }
            else
            {
                doc.Report(parameter, $"outputs.{name}", references);
                doc.Drop(parameter, $"outputs.{name}", "a template's output is taken from its tasks' outputs (valueFrom.parameter or valueFrom.expression)");
            }
        }

        return outputs.Entries.Count == 0 ? null : outputs;
    }

    YamlMap Synchronization(YMapping synchronization)
    {
        var lockSpec = new YamlMap();
        YMapping? mutex = Map(synchronization["mutex"]) ?? List(synchronization["mutexes"]).OfType<YMapping>().FirstOrDefault();
        YMapping? semaphore = Map(synchronization["semaphore"]) ?? List(synchronization["semaphores"]).OfType<YMapping>().FirstOrDefault();
        if (List(synchronization["mutexes"]).Count + List(synchronization["semaphores"]).Count > 1)
        {
            doc.Drop(synchronization, "synchronization", "one lock per workflow: the first is kept");
        }

        if (mutex is not null && Text(mutex["name"]) is string name)
        {
            lockSpec.Add("mutex", DnsLabel(name));
        }
        else if (Map(semaphore?["configMapKeyRef"]) is YMapping reference)
        {
            string key = Text(reference["key"]) ?? Text(reference["name"]) ?? "semaphore";
            lockSpec.Add("semaphore", DnsLabel(key)).Add("limit", YamlOut.Raw("1"));
            doc.Change(semaphore!, "synchronization.semaphore", $"the limit is written in the workflow, not read from ConfigMap '{Text(reference["name"])}': 1 is written; set it to the ConfigMap's value");
        }
        else
        {
            doc.Drop(synchronization, "synchronization", "a lock needs a mutex name or a semaphore's configMapKeyRef");
        }

        return lockSpec;
    }

    static YamlList Schedules(YMapping cron)
    {
        var schedules = new YamlList();
        IEnumerable<string> crons = Text(cron["schedule"]) is string one ? [one] : List(cron["schedules"]).Select(Text).OfType<string>();
        foreach (string expression in crons)
        {
            var schedule = new YamlMap().Add("cron", expression);
            schedule.Add("timezone", Text(cron["timezone"]));
            schedule.Add("concurrencyPolicy", Text(cron["concurrencyPolicy"]));
            if (Text(cron["startingDeadlineSeconds"]) is string deadline)
            {
                schedule.Add("startingDeadline", Duration(deadline));
            }

            schedules.Add(schedule);
        }

        return schedules;
    }
}
