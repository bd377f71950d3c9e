using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s.Models;

namespace GitOps.Orchestrations.Testing.Kubernetes;

/// <summary>
/// What the API server does to an object of a built-in kind before it stores it, as the API
/// reference documents it (the <c>default</c> of each field, <c>resource.Quantity</c>'s canonical
/// form, a Secret's write-only <c>stringData</c>), for the kinds and fields the engine manages. A
/// diff that passes here and would fail on a real server is a defect in this file.
/// </summary>
internal static class KubeDefaults
{
    /// <summary>Rewrites what the server rewrites on the way in: quantities and stringData. Runs before field ownership is worked out.</summary>
    public static void Canonicalize(KubeResourceType type, JsonObject body)
    {
        if (!KubeResourceTypes.BuiltIn().Contains(type))
        {
            return;
        }

        if (type.Kind == "Secret" && body["stringData"] is JsonObject stringData)
        {
            var data = body["data"] as JsonObject ?? [];
            foreach (var (key, value) in stringData)
            {
                data[key] = Convert.ToBase64String(Encoding.UTF8.GetBytes((string?)value ?? string.Empty));
            }

            body.Remove("stringData");
            body["data"] = data;
        }

        foreach (JsonObject pod in PodSpecs(type, body))
        {
            foreach (JsonObject container in Containers(pod))
            {
                Quantities(container["resources"]?["limits"]);
                Quantities(container["resources"]?["requests"]);
            }

            foreach (JsonObject volume in (pod["volumes"] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                if (volume["emptyDir"] is JsonObject emptyDir && emptyDir["sizeLimit"] is JsonNode size)
                {
                    emptyDir["sizeLimit"] = Quantity(size);
                }
            }
        }

        if (type.Kind == "PersistentVolumeClaim")
        {
            Quantities(body["spec"]?["resources"]?["requests"]);
            Quantities(body["spec"]?["resources"]?["limits"]);
        }

        foreach (JsonObject claim in (body["spec"]?["volumeClaimTemplates"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            Quantities(claim["spec"]?["resources"]?["requests"]);
        }
    }

    /// <summary>Fills in the documented defaults of the fields a manifest leaves out.</summary>
    public static void Fill(KubeResourceType type, JsonObject body)
    {
        if (!KubeResourceTypes.BuiltIn().Contains(type))
        {
            return;
        }

        JsonObject? spec = body["spec"] as JsonObject;
        switch (type.Kind)
        {
            case "Deployment" when spec is not null:
                Default(spec, "replicas", 1);
                Default(spec, "revisionHistoryLimit", 10);
                Default(spec, "progressDeadlineSeconds", 600);
                var strategy = (JsonObject)(spec["strategy"] ??= new JsonObject());
                Default(strategy, "type", "RollingUpdate");
                if ((string?)strategy["type"] == "RollingUpdate")
                {
                    var rolling = (JsonObject)(strategy["rollingUpdate"] ??= new JsonObject());
                    Default(rolling, "maxUnavailable", "25%");
                    Default(rolling, "maxSurge", "25%");
                }

                break;
            case "StatefulSet" when spec is not null:
                Default(spec, "replicas", 1);
                Default(spec, "revisionHistoryLimit", 10);
                Default(spec, "podManagementPolicy", "OrderedReady");
                var update = (JsonObject)(spec["updateStrategy"] ??= new JsonObject());
                Default(update, "type", "RollingUpdate");
                if ((string?)update["type"] == "RollingUpdate")
                {
                    Default((JsonObject)(update["rollingUpdate"] ??= new JsonObject()), "partition", 0);
                }

                break;
            case "DaemonSet" when spec is not null:
                Default(spec, "revisionHistoryLimit", 10);
                var daemonUpdate = (JsonObject)(spec["updateStrategy"] ??= new JsonObject());
                Default(daemonUpdate, "type", "RollingUpdate");
                if ((string?)daemonUpdate["type"] == "RollingUpdate")
                {
                    var rolling = (JsonObject)(daemonUpdate["rollingUpdate"] ??= new JsonObject());
                    Default(rolling, "maxUnavailable", 1);
                    Default(rolling, "maxSurge", 0);
                }

                break;
            case "Job" when spec is not null:
                Default(spec, "backoffLimit", 6);
                Default(spec, "completions", 1);
                Default(spec, "parallelism", 1);
                Default(spec, "completionMode", "NonIndexed");
                Default(spec, "suspend", false);
                break;
            case "Service" when spec is not null:
                Default(spec, "type", "ClusterIP");
                Default(spec, "sessionAffinity", "None");
                Default(spec, "internalTrafficPolicy", "Cluster");
                foreach (JsonObject port in (spec["ports"] as JsonArray)?.OfType<JsonObject>() ?? [])
                {
                    Default(port, "protocol", "TCP");
                    if (port["targetPort"] is null && port["port"] is JsonNode number)
                    {
                        port["targetPort"] = number.DeepClone();
                    }
                }

                break;
            case "Secret":
                Default(body, "type", "Opaque");
                break;
            case "NetworkPolicy" when spec is not null:
                // policyTypes: Ingress always, Egress when egress rules are given (networking/v1 defaults).
                Default(spec, "policyTypes", spec["egress"] is JsonArray { Count: > 0 } ? new JsonArray("Ingress", "Egress") : new JsonArray("Ingress"));
                foreach (JsonObject port in new[] { "ingress", "egress" }.SelectMany(d => (spec[d] as JsonArray)?.OfType<JsonObject>() ?? []).SelectMany(r => (r["ports"] as JsonArray)?.OfType<JsonObject>() ?? []))
                {
                    Default(port, "protocol", "TCP");
                }

                break;
        }

        foreach (JsonObject pod in PodSpecs(type, body))
        {
            Default(pod, "restartPolicy", "Always");
            Default(pod, "terminationGracePeriodSeconds", 30);
            Default(pod, "dnsPolicy", "ClusterFirst");
            Default(pod, "schedulerName", "default-scheduler");
            pod["securityContext"] ??= new JsonObject();
            foreach (JsonObject container in Containers(pod))
            {
                string image = (string?)container["image"] ?? string.Empty;
                string tag = image.Contains('@', StringComparison.Ordinal) ? "digest" : image.LastIndexOf(':') > image.LastIndexOf('/') ? image[(image.LastIndexOf(':') + 1)..] : "latest";
                Default(container, "imagePullPolicy", tag == "latest" ? "Always" : "IfNotPresent");
                Default(container, "terminationMessagePath", "/dev/termination-log");
                Default(container, "terminationMessagePolicy", "File");
                container["resources"] ??= new JsonObject();
                foreach (JsonObject port in (container["ports"] as JsonArray)?.OfType<JsonObject>() ?? [])
                {
                    Default(port, "protocol", "TCP");
                }

                foreach (string probe in new[] { "livenessProbe", "readinessProbe", "startupProbe" })
                {
                    if (container[probe] is JsonObject p)
                    {
                        Default(p, "timeoutSeconds", 1);
                        Default(p, "periodSeconds", 10);
                        Default(p, "successThreshold", 1);
                        Default(p, "failureThreshold", 3);
                        if (p["httpGet"] is JsonObject get)
                        {
                            Default(get, "scheme", "HTTP");
                        }
                    }
                }
            }

            foreach (JsonObject volume in (pod["volumes"] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                // 0644, which JSON writes as 420.
                foreach (string source in new[] { "configMap", "secret" })
                {
                    if (volume[source] is JsonObject projected)
                    {
                        Default(projected, "defaultMode", 420);
                    }
                }
            }
        }
    }

    /// <summary>The pod specs inside an object: a Pod's own, a workload's template, a CronJob's job template.</summary>
    static IEnumerable<JsonObject> PodSpecs(KubeResourceType type, JsonObject body)
    {
        JsonNode? pod = type.Kind switch
        {
            "Pod" => body["spec"],
            "Deployment" or "StatefulSet" or "DaemonSet" or "ReplicaSet" or "Job" => body["spec"]?["template"]?["spec"],
            "CronJob" => body["spec"]?["jobTemplate"]?["spec"]?["template"]?["spec"],
            _ => null,
        };

        return pod is JsonObject spec ? [spec] : [];
    }

    static IEnumerable<JsonObject> Containers(JsonObject pod) =>
        new[] { "containers", "initContainers" }.SelectMany(list => (pod[list] as JsonArray)?.OfType<JsonObject>() ?? []);

    static void Default(JsonObject node, string field, JsonNode value)
    {
        if (node[field] is null)
        {
            node[field] = value;
        }
    }

    static void Quantities(JsonNode? map)
    {
        if (map is JsonObject quantities)
        {
            foreach (string key in quantities.Select(p => p.Key).ToList())
            {
                quantities[key] = Quantity(quantities[key]);
            }
        }
    }

    /// <summary>
    /// A quantity as the server serialises it: canonical, and always a string (<c>cpu: 1</c> reads
    /// back <c>"1"</c>). One that does not parse is refused, as the server refuses it.
    /// </summary>
    static JsonNode Quantity(JsonNode? value)
    {
        string text = value?.GetValueKind() switch
        {
            JsonValueKind.String => (string)value!,
            JsonValueKind.Number => value!.ToJsonString(),
            _ => throw new KubeApiServer.ApiError(422, "Invalid", $"quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': {value?.ToJsonString()}"),
        };

        try
        {
            return JsonValue.Create(new ResourceQuantity(text).CanonicalizeString());
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            throw new KubeApiServer.ApiError(422, "Invalid", $"quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': {text}");
        }
    }
}
