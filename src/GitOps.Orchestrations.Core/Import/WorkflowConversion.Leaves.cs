using System.Text.RegularExpressions;
using GitOps.Orchestrations.Core.Loading;
using static GitOps.Orchestrations.Core.Import.ArgoDocument;

namespace GitOps.Orchestrations.Core.Import;

/// <summary>Leaf templates, written into the task that calls them: container, script, http and suspend.</summary>
sealed partial class WorkflowConversion
{
    static readonly string[] LeafFields =
        ["name", "inputs", "outputs", "container", "script", "http", "suspend", "retryStrategy", "activeDeadlineSeconds", "timeout",
         "nodeSelector", "tolerations", "serviceAccountName", "securityContext"];

    static readonly string[] ContainerFields = ["name", "image", "command", "args", "env", "resources", "source"];

    static readonly string[] JobPodFields = ["nodeSelector", "tolerations", "serviceAccountName", "securityContext"];

    static readonly string[] ContainerCopied = ["image", "command", "args", "resources"];

    static readonly string[] HttpCopied = ["url", "method", "body"];

    static readonly HashSet<string> Shells = new(StringComparer.Ordinal) { "sh", "bash", "ash", "dash", "zsh" };

    /// <summary>
    /// Writes template <paramref name="name"/> into <paramref name="task"/>. With <paramref name="arguments"/>,
    /// its inputs are the call's arguments (or the inputs' defaults); without, its inputs are params
    /// (the entrypoint, or a template of an Argo WorkflowTemplate).
    /// </summary>
    void Leaf(YMapping template, string name, IReadOnlyDictionary<string, string>? arguments, YamlMap task)
    {
        var defaults = new ArgoReferences { Status = status };
        var leaf = new ArgoReferences { Arguments = arguments is null ? null : Inputs(template, arguments, defaults), TemplateName = name, Status = status };
        doc.Report(template["inputs"] ?? template, $"template {name}.inputs", defaults);
        string construct = $"template {name}";
        var with = new YamlMap();
        string? kind = null;
        if (Map(template["container"]) is YMapping container)
        {
            kind = "job";
            Container(container, leaf, with, $"{construct}.container");
        }
        else if (Map(template["script"]) is YMapping script)
        {
            kind = "script";
            Container(script, leaf, with, $"{construct}.script");
            Source(script, leaf, with, $"{construct}.script.source");
        }
        else if (Map(template["http"]) is YMapping http)
        {
            kind = "http";
            Http(http, leaf, with, task, $"{construct}.http");
        }
        else if (template["suspend"] is YNode suspend)
        {
            kind = Suspend(Map(suspend), leaf, with, construct, suspend);
        }

        if (kind is null)
        {
            string what = template.Entries.Select(e => e.Key.Value).FirstOrDefault(k => k is "resource" or "data" or "containerSet" or "plugin") ?? "unknown";
            YNode at = template.Entries.FirstOrDefault(e => e.Key.Value == what).Key ?? (YNode)template;
            doc.Drop(at, $"{construct}.{what}", what == "resource"
                ? "resource templates are not offered; an apply or sync step applies manifests from Git (docs/delivery.md)"
                : $"{what} templates are not offered");
            Placeholder(task, $"{what} template '{name}'");
            return;
        }

        if (kind is "job" or "script")
        {
            foreach (string field in JobPodFields.Where(f => template[f] is not null))
            {
                with.Add(field, doc.Copy(template[field]!, leaf.Rewrite));
            }
        }
        else
        {
            doc.Rest(new YMapping(template.Position, template.Entries.Where(e => JobPodFields.Contains(e.Key.Value)).ToList()), construct, []);
        }

        task.Add("uses", kind);
        if (with.Entries.Count > 0)
        {
            task.Add("with", with);
        }

        if (Map(template["retryStrategy"]) is YMapping retry)
        {
            task.Add("retry", Retry(retry, leaf, $"{construct}.retryStrategy"));
        }

        if (Text(template["activeDeadlineSeconds"] ?? template["timeout"]) is string timeout)
        {
            task.Add("timeout", Duration(leaf.Rewrite(timeout)));
            if (template["timeout"] is YNode at && template["activeDeadlineSeconds"] is null)
            {
                doc.Change(at, $"{construct}.timeout", "a task's timeout bounds each attempt here, as activeDeadlineSeconds does");
            }
        }

        LeafOutputs(template, kind, with, task, leaf, construct);
        doc.Report(template, construct, leaf);
        doc.Rest(template, construct, LeafFields, new Dictionary<string, string> { ["metadata"] = ArgoDefaults.WhyDropped["podMetadata"] });
    }

    /// <summary>Each input of the template: the call's argument, else the input's default (in this engine's spelling).</summary>
    static Dictionary<string, string> Inputs(YMapping template, IReadOnlyDictionary<string, string> arguments, ArgoReferences defaults)
    {
        var inputs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (YMapping input in List(Map(template["inputs"])?["parameters"]).OfType<YMapping>())
        {
            if (Text(input["name"]) is string name)
            {
                if (arguments.TryGetValue(name, out string? value))
                {
                    inputs[name] = value;
                }
                else if (Text(input["value"] ?? input["default"]) is string fallback)
                {
                    inputs[name] = defaults.Rewrite(fallback);
                }
            }
        }

        return inputs;
    }

    void Container(YMapping container, ArgoReferences leaf, YamlMap with, string construct)
    {
        foreach (string field in ContainerCopied.Where(f => container[f] is not null))
        {
            with.Add(field, doc.Copy(container[field]!, leaf.Rewrite));
            doc.Report(container[field]!, $"{construct}.{field}", leaf);
        }

        var env = new YamlMap();
        foreach (YMapping variable in List(container["env"]).OfType<YMapping>())
        {
            string name = Text(variable["name"]) ?? "";
            if (Text(variable["value"]) is string value)
            {
                env.Add(name, leaf.Rewrite(value));
                doc.Report(variable, $"{construct}.env.{name}", leaf);
            }
            else if (Map(variable["valueFrom"]) is YMapping from && (from["secretKeyRef"] ?? from["configMapKeyRef"]) is YMapping)
            {
                env.Add(name, doc.Copy(from));
            }
            else if (variable["valueFrom"] is YNode other)
            {
                doc.Drop(other, $"{construct}.env.{name}", "only secretKeyRef and configMapKeyRef are offered");
            }
        }

        if (env.Entries.Count > 0)
        {
            with.Add("env", env);
        }

        doc.Rest(container, construct, ContainerFields);
    }

    /// <summary>
    /// A script's source never holds a template here, since a param would become code. A reference
    /// Argo wrote into the source goes to an environment variable, which a shell reads as <c>${NAME}</c>.
    /// </summary>
    void Source(YMapping script, ArgoReferences leaf, YamlMap with, string construct)
    {
        string source = leaf.Rewrite(Text(script["source"]) ?? "");
        doc.Report(script["source"] ?? script, construct, leaf);
        var env = with["env"] as YamlMap ?? new YamlMap();
        var moved = new Dictionary<string, string>(StringComparer.Ordinal);
        source = Template().Replace(source, match =>
        {
            if (!moved.TryGetValue(match.Value, out string? variable))
            {
                variable = $"ARGO_VALUE_{moved.Count + 1}";
                moved[match.Value] = variable;
                env.Add(variable, match.Value);
            }

            return "${" + variable + "}";
        });
        if (moved.Count > 0)
        {
            with.Add("env", env);
            string interpreter = Path.GetFileName((List(script["command"]) is { Count: > 0 } command ? Text(command[0]) : null) ?? "sh");
            string list = string.Join(", ", moved.Select(m => $"{m.Key} as ${{{m.Value}}}"));
            if (Shells.Contains(interpreter))
            {
                doc.Change(script["source"]!, construct, $"values reach the script through its environment, never as code: {list}");
            }
            else
            {
                doc.Drop(script["source"]!, construct, $"values reach a script through its environment here, never as code; {interpreter} must read them from it: {list}");
            }
        }

        with.Add("source", source);
    }

    void Http(YMapping http, ArgoReferences leaf, YamlMap with, YamlMap task, string construct)
    {
        foreach (string field in HttpCopied.Where(f => http[f] is not null))
        {
            with.Add(field, doc.Copy(http[field]!, leaf.Rewrite));
            doc.Report(http[field]!, $"{construct}.{field}", leaf);
        }

        var headers = new YamlMap();
        foreach (YMapping header in List(http["headers"]).OfType<YMapping>())
        {
            if (Text(header["name"]) is string name && Text(header["value"]) is string value)
            {
                headers.Add(name, leaf.Rewrite(value));
            }
            else
            {
                doc.Drop(header, $"{construct}.headers", "a header's valueFrom is not offered: credentials for http steps come from the server's configuration");
            }
        }

        if (headers.Entries.Count > 0)
        {
            with.Add("headers", headers);
        }

        if (http["successCondition"] is YNode conditionNode && Text(conditionNode) is string condition)
        {
            string? translated = ArgoExpressions.Translate(condition, ArgoExpressions.Dialect.Expr, leaf, variables: ArgoExpressions.HttpVariables);
            doc.Report(conditionNode, $"{construct}.successCondition", leaf);
            with.Add("successCondition", translated ?? "false");
        }

        if (Text(http["timeoutSeconds"]) is string timeout)
        {
            task.Add("timeout", Duration(timeout));
        }

        doc.Rest(http, construct, ["url", "method", "body", "headers", "successCondition", "timeoutSeconds"], new Dictionary<string, string>
        {
            ["insecureSkipVerify"] = "certificates are always verified",
            ["bodyFrom"] = "a body is written as text",
        });
    }

    string Suspend(YMapping? suspend, ArgoReferences leaf, YamlMap with, string construct, YNode at)
    {
        if (Text(suspend?["duration"]) is string duration)
        {
            with.Add("duration", Duration(leaf.Rewrite(duration)));
            return "wait";
        }

        with.Add("message", "Argo suspend: approve to resume");
        doc.Change(at, $"{construct}.suspend", "a suspend without a duration is an approval: resume it with gitops approve; it waits 7 days, then rejects, unless its timeout is set");
        return "approval";
    }

    YamlMap Retry(YMapping retry, ArgoReferences leaf, string construct)
    {
        var output = new YamlMap();
        if (Text(retry["limit"]) is string limit)
        {
            output.Add("limit", int.TryParse(limit, out _) ? YamlOut.Raw(limit) : YamlOut.Text(leaf.Rewrite(limit)));
        }

        output.Add("retryPolicy", Text(retry["retryPolicy"]));
        if (Map(retry["backoff"]) is YMapping backoff)
        {
            var delays = new YamlMap();
            foreach (string field in new[] { "duration", "maxDuration", "cap" })
            {
                if (Text(backoff[field]) is string value)
                {
                    delays.Add(field, Duration(value));
                }
            }

            if (Text(backoff["factor"]) is string factor)
            {
                delays.Add("factor", YamlOut.Raw(factor));
            }

            output.Add("backoff", delays);
        }

        if (retry["expression"] is YNode expressionNode && Text(expressionNode) is string expression)
        {
            string? translated = ArgoExpressions.Translate(expression, ArgoExpressions.Dialect.Expr, leaf);
            doc.Report(expressionNode, $"{construct}.expression", leaf);
            output.Add("expression", translated);
        }

        doc.Rest(retry, construct, ["limit", "retryPolicy", "backoff", "expression"], new Dictionary<string, string> { ["affinity"] = "retry affinity is not offered" });
        return output;
    }

    /// <summary>A leaf's <c>outputs.parameters</c>: a file a job writes becomes its result; an expression becomes a declared output.</summary>
    void LeafOutputs(YMapping template, string kind, YamlMap with, YamlMap task, ArgoReferences leaf, string construct)
    {
        YMapping? declared = Map(template["outputs"]);
        if (declared?["artifacts"] is YNode artifacts)
        {
            doc.Drop(artifacts, $"{construct}.outputs.artifacts", ArgoDefaults.WhyDropped["artifacts"]);
        }

        var outputs = new YamlMap();
        foreach (YMapping parameter in List(declared?["parameters"]).OfType<YMapping>())
        {
            string name = Text(parameter["name"]) ?? "";
            YMapping? from = Map(parameter["valueFrom"]);
            if (Text(from?["path"]) is string path && kind is "job" or "script" && !with.Has("result"))
            {
                with.Add("result", new YamlMap().Add("path", leaf.Rewrite(path)));
                outputs.Add(name, new YamlMap().Add("from", "result"), doc.From(parameter));
            }
            else if (Text(parameter["value"]) is string literal)
            {
                outputs.Add(name, new YamlMap().Add("from", ArgoExpressions.Translate($"'{literal.Replace("'", "\\'", StringComparison.Ordinal)}'", ArgoExpressions.Dialect.Expr, leaf) ?? "''"), doc.From(parameter));
            }
            else
            {
                doc.Drop(parameter, $"{construct}.outputs.{name}", from?["path"] is not null
                    ? "one file per step is read as its result here; a second output file is not"
                    : "an output is read from a file the step writes, or is a value");
            }
        }

        if (outputs.Entries.Count > 0)
        {
            task.Add("outputs", outputs);
        }
    }

    [GeneratedRegex(@"\{\{.*?\}\}", RegexOptions.Singleline)]
    private static partial Regex Template();
}
