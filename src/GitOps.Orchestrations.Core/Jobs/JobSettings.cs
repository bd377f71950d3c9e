using System.Text.Json;
using System.Text.Json.Serialization;
using GitOps.Orchestrations.Core.Templating;
using GitOps.Orchestrations.Core.Validation;

namespace GitOps.Orchestrations.Core.Jobs;

/// <summary>
/// What a <c>job</c> step's <c>with</c> block holds, after templating. The field names are the Pod
/// API's, so a Kubernetes user writes what they already know; only the parts a step needs are here.
/// </summary>
public sealed record JobSettings
{
    /// <summary>A cluster of the server's configuration; the one named <c>default</c> when absent.</summary>
    public string? Cluster { get; init; }

    public string Namespace { get; init; } = "default";

    public string Image { get; init; } = string.Empty;

    public List<string>? Command { get; init; }

    public List<string>? Args { get; init; }

    /// <summary>Name to a value, or to <c>{secretKeyRef: {name, key}}</c> or <c>{configMapKeyRef: {name, key}}</c>.</summary>
    public Dictionary<string, JsonElement>? Env { get; init; }

    public JsonElement? Resources { get; init; }

    public string? ServiceAccountName { get; init; }

    public Dictionary<string, string>? NodeSelector { get; init; }

    public JsonElement? Tolerations { get; init; }

    public List<JobVolume>? Volumes { get; init; }

    public int? ActiveDeadlineSeconds { get; init; }

    public int? TtlSecondsAfterFinished { get; init; }

    /// <summary>The pod's securityContext; non-root unless it says otherwise.</summary>
    public JsonElement? SecurityContext { get; init; }

    /// <summary>Where the result comes from: stdout (the default), or a file the container writes.</summary>
    public JobResultSource? Result { get; init; }

    /// <summary>Names read from a JSON-object result, each becoming <c>outputs.NAME</c>; a missing one fails the step.</summary>
    public List<string>? Outputs { get; init; }

    public int? LogTailBytes { get; init; }

    /// <summary>A <c>script</c> step's source, mounted into the container and run by <see cref="Command"/>.</summary>
    public string? Source { get; init; }

    public string? PollInterval { get; init; }

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    /// <summary>Reads a templated <c>with</c> block; a value of the wrong type is a <see cref="FormatException"/> naming its field.</summary>
    public static JobSettings Read(JsonElement with)
    {
        try
        {
            return with.Deserialize<JobSettings>(Json) ?? throw new FormatException("with must be a mapping");
        }
        catch (JsonException e)
        {
            throw new FormatException($"with{e.Path?.TrimStart('$')}: {e.Message.Split(" Path:")[0]}");
        }
    }

    /// <summary>What is wrong with settings that templating cannot change, such as a deadline below one second.</summary>
    public IEnumerable<string> Problems()
    {
        if (string.IsNullOrWhiteSpace(Image))
        {
            yield return "with.image is empty";
        }

        if (ActiveDeadlineSeconds is < 1)
        {
            yield return "with.activeDeadlineSeconds must be at least 1";
        }

        if (TtlSecondsAfterFinished is < 0)
        {
            yield return "with.ttlSecondsAfterFinished must not be negative";
        }

        if (LogTailBytes is < 0 or > JobDefaults.MaxLogTailBytes)
        {
            yield return $"with.logTailBytes must be between 0 and {JobDefaults.MaxLogTailBytes}";
        }

        if (Source is { Length: > JobDefaults.MaxSourceBytes })
        {
            yield return $"with.source is longer than {JobDefaults.MaxSourceBytes / 1024} KiB";
        }

        if (Result?.Path is string path && !path.StartsWith('/'))
        {
            yield return $"with.result.path must be an absolute path in the container, not '{path}'";
        }

        foreach (JobVolume volume in Volumes ?? [])
        {
            int sources = (volume.ConfigMap is null ? 0 : 1) + (volume.Secret is null ? 0 : 1) + (volume.EmptyDir is null ? 0 : 1);
            if (sources != 1)
            {
                yield return $"volume '{volume.Name}' needs exactly one of configMap, secret or emptyDir";
            }
        }
    }

    /// <summary>What <c>gitops validate</c> checks below each field, with positions.</summary>
    public static class Shapes
    {
        static readonly Shape KeyRef = Shape.Object(new Dictionary<string, Shape> { ["name"] = Shape.Scalar, ["key"] = Shape.Scalar, ["optional"] = Shape.Scalar }, "name", "key");

        public static readonly Shape Env = Shape.MapOf(Shape.ScalarOr(Shape.Object(new Dictionary<string, Shape>
        {
            ["secretKeyRef"] = KeyRef,
            ["configMapKeyRef"] = KeyRef,
        })));

        public static readonly Shape Resources = Shape.Object(new Dictionary<string, Shape>
        {
            ["requests"] = Shape.MapOf(Shape.Scalar),
            ["limits"] = Shape.MapOf(Shape.Scalar),
        });

        public static readonly Shape Tolerations = Shape.ListOf(Shape.Object(new Dictionary<string, Shape>
        {
            ["key"] = Shape.Scalar,
            ["operator"] = Shape.Scalar,
            ["value"] = Shape.Scalar,
            ["effect"] = Shape.Scalar,
            ["tolerationSeconds"] = Shape.Scalar,
        }));

        public static readonly Shape Volumes = Shape.ListOf(Shape.Object(
            new Dictionary<string, Shape>
            {
                ["name"] = Shape.Scalar,
                ["mountPath"] = Shape.Scalar,
                ["readOnly"] = Shape.Scalar,
                ["configMap"] = Shape.Scalar,
                ["secret"] = Shape.Scalar,
                ["emptyDir"] = Shape.Object(new Dictionary<string, Shape> { ["medium"] = Shape.Scalar, ["sizeLimit"] = Shape.Scalar }),
            },
            "name",
            "mountPath"));

        public static readonly Shape SecurityContext = Shape.Object(new Dictionary<string, Shape>
        {
            ["runAsUser"] = Shape.Scalar,
            ["runAsGroup"] = Shape.Scalar,
            ["runAsNonRoot"] = Shape.Scalar,
            ["fsGroup"] = Shape.Scalar,
            ["supplementalGroups"] = Shape.ListOf(Shape.Scalar),
            ["seccompProfile"] = Shape.Object(new Dictionary<string, Shape> { ["type"] = Shape.Scalar, ["localhostProfile"] = Shape.Scalar }),
        });

        public static readonly Shape Result = Shape.Object(new Dictionary<string, Shape> { ["path"] = Shape.Scalar });
    }

    /// <summary>
    /// A step that reads a Secret (an env <c>secretKeyRef</c>, a secret volume) must name its image
    /// and its env references in the workflow: were either templated, whoever starts a run could
    /// choose an image that prints the Secret to the log every viewer reads, or choose the Secret.
    /// </summary>
    public static IEnumerable<FieldProblem> SecretsNeedALiteralImage(JsonElement with)
    {
        if (with.ValueKind != JsonValueKind.Object)
        {
            yield break;
        }

        bool readsSecret = (with.TryGetProperty("env", out var env) && env.ValueKind == JsonValueKind.Object
                && env.EnumerateObject().Any(e => e.Value.ValueKind == JsonValueKind.Object && e.Value.TryGetProperty("secretKeyRef", out _)))
            || (with.TryGetProperty("volumes", out var volumes) && volumes.ValueKind == JsonValueKind.Array
                && volumes.EnumerateArray().Any(v => v.ValueKind == JsonValueKind.Object && v.TryGetProperty("secret", out _)));
        if (!readsSecret)
        {
            yield break;
        }

        if (with.TryGetProperty("image", out var image) && Template.References(image).Any())
        {
            yield return new FieldProblem(["image"], "a step that reads a Secret must name its image here, not template it: a run's params must not choose the code that sees the Secret");
        }

        foreach (JsonProperty variable in env.ValueKind == JsonValueKind.Object ? env.EnumerateObject() : [])
        {
            if (variable.Value.ValueKind == JsonValueKind.Object && Template.References(variable.Value).Any())
            {
                yield return new FieldProblem(["env", variable.Name], "a Secret or ConfigMap reference must be written here, not templated: a run's params must not choose which Secret a step reads");
            }
        }
    }

    /// <summary>The <c>with</c> fields of a step that runs a container, shared by <c>job</c> and <c>script</c>.</summary>
    public static Dictionary<string, FieldSpec> ContainerFields() => new()
    {
        ["cluster"] = new(FieldKind.String),
        ["namespace"] = new(FieldKind.String),
        ["image"] = new(FieldKind.String, Required: true, Shape: Shape.NonEmptyText(1024)),
        ["env"] = new(FieldKind.Object, Shape: Shapes.Env),
        ["resources"] = new(FieldKind.Object, Shape: Shapes.Resources),
        ["serviceAccountName"] = new(FieldKind.String, Literal: true),
        ["nodeSelector"] = new(FieldKind.StringMap),
        ["tolerations"] = new(FieldKind.Any, Shape: Shapes.Tolerations),
        ["volumes"] = new(FieldKind.Any, Literal: true, Shape: Shapes.Volumes),
        ["activeDeadlineSeconds"] = new(FieldKind.Number),
        ["ttlSecondsAfterFinished"] = new(FieldKind.Number),
        ["securityContext"] = new(FieldKind.Object, Literal: true, Shape: Shapes.SecurityContext),
        ["result"] = new(FieldKind.Object, Shape: Shapes.Result),
        ["outputs"] = new(FieldKind.StringList),
        ["logTailBytes"] = new(FieldKind.Number),
        ["pollInterval"] = new(FieldKind.Duration),
    };
}

/// <summary>A volume of the pod and where the container mounts it: a ConfigMap, a Secret or an emptyDir.</summary>
public sealed record JobVolume
{
    public required string Name { get; init; }

    public required string MountPath { get; init; }

    public bool ReadOnly { get; init; }

    /// <summary>The name of a ConfigMap in the Job's namespace.</summary>
    public string? ConfigMap { get; init; }

    /// <summary>The name of a Secret in the Job's namespace.</summary>
    public string? Secret { get; init; }

    public JsonElement? EmptyDir { get; init; }
}

/// <param name="Path">A file the container writes its result to; read through the pod's termination message, so at most 4 KiB.</param>
public sealed record JobResultSource(string? Path);
