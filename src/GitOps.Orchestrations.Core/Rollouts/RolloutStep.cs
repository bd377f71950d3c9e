using System.Text.Json;
using System.Text.Json.Serialization;

namespace GitOps.Orchestrations.Core.Rollouts;

/// <summary>What a canary step does; also its tag on the wire.</summary>
public enum RolloutStepKind
{
    SetWeight,
    Pause,
    Analysis,
    Approval,
    SetCanaryScale,
}

/// <summary>
/// One canary step: a closed set of records, one per kind, so a step carries exactly the fields its
/// kind needs. Steps travel inside the snapshot of every in-flight rollout, so
/// <see cref="RolloutStepJsonConverter"/> keeps the JSON shape the engine has always written.
/// </summary>
[JsonConverter(typeof(RolloutStepJsonConverter))]
public abstract record RolloutStep
{
    private protected RolloutStep()
    {
    }

    public abstract RolloutStepKind Kind { get; }

    public abstract string Describe();
}

/// <summary>setWeight: the canary's share of traffic, 0 to 100.</summary>
public sealed record SetWeightStep(int Weight) : RolloutStep
{
    public override RolloutStepKind Kind => RolloutStepKind.SetWeight;

    public override string Describe() => $"setWeight {Weight}";
}

/// <summary>pause: for a while, or (no duration) until a person promotes.</summary>
public sealed record PauseStep(TimeSpan? Duration) : RolloutStep
{
    public override RolloutStepKind Kind => RolloutStepKind.Pause;

    public override string Describe() => Duration is TimeSpan d ? $"pause {Model.Durations.Format(d)}" : "pause until promoted";
}

public sealed record AnalysisStep(AnalysisReference Analysis) : RolloutStep
{
    public override RolloutStepKind Kind => RolloutStepKind.Analysis;

    public override string Describe() => $"analysis {string.Join(", ", Analysis.Templates)}";
}

public sealed record ApprovalStep(RolloutApproval Approval) : RolloutStep
{
    public override RolloutStepKind Kind => RolloutStepKind.Approval;

    public override string Describe() => "approval";
}

public sealed record CanaryScaleStep(CanaryScale Scale) : RolloutStep
{
    public override RolloutStepKind Kind => RolloutStepKind.SetCanaryScale;

    public override string Describe() =>
        Scale.MatchTrafficWeight ? "setCanaryScale matchTrafficWeight" : Scale.Replicas is int r ? $"setCanaryScale {r} replicas" : $"setCanaryScale {Scale.Weight}%";
}

/// <summary>
/// Reads and writes a step as one flat object, <c>{"Kind": 0, "Weight": 20}</c>, the shape of the
/// single record steps once were, so snapshots written by any release read back: the kind as its
/// number or its name, property names in any case. A step of a kind this engine does not know, or
/// without its kind's field, is a <see cref="JsonException"/>, never a half-built step.
/// </summary>
public sealed class RolloutStepJsonConverter : JsonConverter<RolloutStep>
{
    public override RolloutStep Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("a rollout step is a JSON object");
        }

        using JsonDocument document = JsonDocument.ParseValue(ref reader);
        JsonElement step = document.RootElement;
        RolloutStepKind kind = Property(step, nameof(RolloutStep.Kind)) switch
        {
            { ValueKind: JsonValueKind.Number } n when n.TryGetInt32(out int k) && Enum.IsDefined((RolloutStepKind)k) => (RolloutStepKind)k,
            { ValueKind: JsonValueKind.String } s when Enum.TryParse(s.GetString(), ignoreCase: true, out RolloutStepKind k) && Enum.IsDefined(k) => k,
            var other => throw new JsonException($"a rollout step's kind must be one of {string.Join(", ", Enum.GetNames<RolloutStepKind>())}, not {other?.GetRawText() ?? "nothing"}"),
        };

        return kind switch
        {
            RolloutStepKind.SetWeight => new SetWeightStep(Required<int>(step, nameof(SetWeightStep.Weight), options)),
            RolloutStepKind.Pause => new PauseStep(Optional<TimeSpan?>(step, nameof(PauseStep.Duration), options)),
            RolloutStepKind.Analysis => new AnalysisStep(Required<AnalysisReference>(step, nameof(AnalysisStep.Analysis), options)),
            RolloutStepKind.Approval => new ApprovalStep(Required<RolloutApproval>(step, nameof(ApprovalStep.Approval), options)),
            _ => new CanaryScaleStep(Required<CanaryScale>(step, nameof(CanaryScaleStep.Scale), options)),
        };
    }

    public override void Write(Utf8JsonWriter writer, RolloutStep value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteNumber(Name(nameof(RolloutStep.Kind), options), (int)value.Kind);
        // Each kind has exactly one field of its own.
        (string field, object? body, Type type) = value switch
        {
            SetWeightStep s => (nameof(s.Weight), (object?)s.Weight, typeof(int)),
            PauseStep s => (nameof(s.Duration), s.Duration, typeof(TimeSpan?)),
            AnalysisStep s => (nameof(s.Analysis), s.Analysis, typeof(AnalysisReference)),
            ApprovalStep s => (nameof(s.Approval), s.Approval, typeof(RolloutApproval)),
            CanaryScaleStep s => (nameof(s.Scale), s.Scale, typeof(CanaryScale)),
            _ => throw new JsonException($"no JSON shape for rollout step {value.GetType().Name}"),
        };
        writer.WritePropertyName(Name(field, options));
        JsonSerializer.Serialize(writer, body, type, options);
        writer.WriteEndObject();
    }

    static string Name(string name, JsonSerializerOptions options) => options.PropertyNamingPolicy?.ConvertName(name) ?? name;

    static JsonElement? Property(JsonElement step, string name)
    {
        foreach (JsonProperty property in step.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }

    static T? Optional<T>(JsonElement step, string name, JsonSerializerOptions options) =>
        Property(step, name) is { ValueKind: not JsonValueKind.Null } value ? value.Deserialize<T>(options) : default;

    static T Required<T>(JsonElement step, string name, JsonSerializerOptions options) =>
        Property(step, name) is { ValueKind: not JsonValueKind.Null } value && value.Deserialize<T>(options) is T read
            ? read
            : throw new JsonException($"a rollout step of kind {Property(step, nameof(RolloutStep.Kind))?.GetRawText()} needs {name}");
}
