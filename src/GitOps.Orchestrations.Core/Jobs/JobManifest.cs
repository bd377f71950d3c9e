using System.Text.Json;
using System.Text.Json.Nodes;

namespace GitOps.Orchestrations.Core.Jobs;

/// <summary>The objects one step attempt creates: its Job, and for a script the ConfigMap holding the source.</summary>
public sealed record JobObjects(JsonObject Job, JsonObject? Source);

/// <summary>
/// Builds the batch/v1 Job for a step attempt. Pure, so the same settings always give the same Job:
/// one container named <c>main</c>, never restarted in place (the engine's retry makes a new
/// attempt's Job, so <c>backoffLimit</c> is 0), non-root unless the settings say otherwise.
/// </summary>
public static class JobManifest
{
    public static JobObjects Build(JobSettings settings, string name, IReadOnlyDictionary<string, string> labels, string stepKey)
    {
        JsonObject Labels() => new(labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)JsonValue.Create(l.Value))));

        var container = new JsonObject
        {
            ["name"] = JobDefaults.ContainerName,
            ["image"] = settings.Image,
            ["securityContext"] = new JsonObject
            {
                ["allowPrivilegeEscalation"] = false,
                ["capabilities"] = new JsonObject { ["drop"] = new JsonArray("ALL") },
            },
        };
        if (settings.Command is { Count: > 0 } command)
        {
            container["command"] = Strings(command);
        }

        var args = settings.Args ?? [];
        if (settings.Source is not null)
        {
            // The interpreter runs the mounted file, as Argo's script template runs its source.
            container["command"] = Strings(settings.Command is { Count: > 0 } interpreter ? interpreter : ["sh"]);
            args = [$"{JobDefaults.ScriptDirectory}/{JobDefaults.ScriptFile}", .. args];
        }

        if (args.Count > 0)
        {
            container["args"] = Strings(args);
        }

        if (settings.Env is { Count: > 0 } env)
        {
            container["env"] = new JsonArray(env.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => (JsonNode?)EnvVar(e.Key, e.Value)).ToArray());
        }

        if (settings.Resources is JsonElement resources)
        {
            container["resources"] = JsonNode.Parse(resources.GetRawText());
        }

        if (settings.Result?.Path is string resultPath)
        {
            // The kubelet copies this file into the container's termination message when it exits.
            container["terminationMessagePath"] = resultPath;
            container["terminationMessagePolicy"] = "File";
        }

        var volumes = new JsonArray();
        var mounts = new JsonArray();
        foreach (JobVolume volume in settings.Volumes ?? [])
        {
            var source = new JsonObject { ["name"] = volume.Name };
            if (volume.ConfigMap is string configMap)
            {
                source["configMap"] = new JsonObject { ["name"] = configMap };
            }
            else if (volume.Secret is string secret)
            {
                source["secret"] = new JsonObject { ["secretName"] = secret };
            }
            else
            {
                source["emptyDir"] = volume.EmptyDir is JsonElement emptyDir ? JsonNode.Parse(emptyDir.GetRawText()) : new JsonObject();
            }

            volumes.Add(source);
            mounts.Add(new JsonObject { ["name"] = volume.Name, ["mountPath"] = volume.MountPath, ["readOnly"] = volume.ReadOnly });
        }

        JsonObject? sourceMap = null;
        if (settings.Source is string script)
        {
            volumes.Add(new JsonObject { ["name"] = "gitops-script", ["configMap"] = new JsonObject { ["name"] = name, ["defaultMode"] = 365 } });
            mounts.Add(new JsonObject { ["name"] = "gitops-script", ["mountPath"] = JobDefaults.ScriptDirectory, ["readOnly"] = true });
            sourceMap = new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "ConfigMap",
                ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = settings.Namespace, ["labels"] = Labels(), ["annotations"] = new JsonObject { [JobNames.StepAnnotation] = stepKey } },
                ["data"] = new JsonObject { [JobDefaults.ScriptFile] = script },
            };
        }

        if (mounts.Count > 0)
        {
            container["volumeMounts"] = mounts;
        }

        var pod = new JsonObject
        {
            ["restartPolicy"] = "Never",
            ["securityContext"] = PodSecurity(settings.SecurityContext),
            ["containers"] = new JsonArray(container),
        };
        if (settings.ServiceAccountName is string account)
        {
            pod["serviceAccountName"] = account;
        }

        if (settings.NodeSelector is { Count: > 0 } selector)
        {
            pod["nodeSelector"] = new JsonObject(selector.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => KeyValuePair.Create(s.Key, (JsonNode?)JsonValue.Create(s.Value))));
        }

        if (settings.Tolerations is JsonElement tolerations)
        {
            pod["tolerations"] = JsonNode.Parse(tolerations.GetRawText());
        }

        if (volumes.Count > 0)
        {
            pod["volumes"] = volumes;
        }

        var job = new JsonObject
        {
            ["apiVersion"] = "batch/v1",
            ["kind"] = "Job",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = settings.Namespace,
                ["labels"] = Labels(),
                ["annotations"] = new JsonObject { [JobNames.StepAnnotation] = stepKey },
            },
            ["spec"] = new JsonObject
            {
                ["backoffLimit"] = 0,
                ["activeDeadlineSeconds"] = settings.ActiveDeadlineSeconds ?? JobDefaults.ActiveDeadlineSeconds,
                ["ttlSecondsAfterFinished"] = settings.TtlSecondsAfterFinished ?? JobDefaults.TtlSecondsAfterFinished,
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["labels"] = Labels() },
                    ["spec"] = pod,
                },
            },
        };
        return new JobObjects(job, sourceMap);
    }

    /// <summary>A templated value arrives as text; the API wants the ids as integers and the flag as a boolean.</summary>
    static JsonNode? Typed(string field, JsonElement value) => (field, value.ValueKind) switch
    {
        ("runAsUser" or "runAsGroup" or "fsGroup", JsonValueKind.String) when long.TryParse(value.GetString(), out long id) => JsonValue.Create(id),
        ("runAsNonRoot", JsonValueKind.String) when bool.TryParse(value.GetString(), out bool flag) => JsonValue.Create(flag),
        _ => JsonNode.Parse(value.GetRawText()),
    };

    static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());

    static JsonObject EnvVar(string name, JsonElement value)
    {
        var variable = new JsonObject { ["name"] = name };
        if (value.ValueKind == JsonValueKind.Object)
        {
            // Only references, so a secret's value never passes through the engine or its history.
            variable["valueFrom"] = JsonNode.Parse(value.GetRawText());
        }
        else
        {
            variable["value"] = Templating.Template.AsText(value);
        }

        return variable;
    }

    /// <summary>The pod runs as a non-root user with the runtime's seccomp profile, unless its settings choose otherwise field by field.</summary>
    static JsonObject PodSecurity(JsonElement? given)
    {
        var context = new JsonObject
        {
            ["runAsNonRoot"] = true,
            ["runAsUser"] = JobDefaults.RunAsUser,
            ["runAsGroup"] = JobDefaults.RunAsUser,
            ["seccompProfile"] = new JsonObject { ["type"] = "RuntimeDefault" },
        };
        if (given is JsonElement settings && settings.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty property in settings.EnumerateObject())
            {
                context[property.Name] = Typed(property.Name, property.Value);
            }
        }

        return context;
    }
}
