using System.Text.Json;

namespace GitOps.Orchestrations.Core.Templating;

public interface ITemplateScope
{
    bool TryResolve(string path, out JsonElement value);
}

/// <summary>Everything a template can see while a run is in flight.</summary>
/// <param name="skipped">
/// Whether a task was Skipped or Omitted: its outputs then read as empty strings, as Argo documents,
/// so a downstream step that handles the skip still renders.
/// </param>
/// <param name="statusOf">A finished task's phase, for <c>{{tasks.X.status}}</c>; null while it has not finished.</param>
public sealed class TemplateScope(
    IReadOnlyDictionary<string, string> parameters,
    WorkflowInfo workflow,
    Func<string, IReadOnlyDictionary<string, JsonElement>?> outputsOf,
    Func<string, bool>? skipped = null,
    Func<string, string?>? statusOf = null) : ITemplateScope
{
    static readonly JsonElement Empty = JsonSerializer.SerializeToElement(string.Empty);

    JsonElement? item;

    /// <summary>A copy that also sees the current fan-out item as <c>{{item}}</c>.</summary>
    public TemplateScope WithItem(JsonElement value) => new(parameters, workflow, outputsOf, skipped, statusOf) { item = value };

    /// <summary>Whether <paramref name="task"/> was Skipped or Omitted, so its outputs read as empty strings.</summary>
    public bool IsSkipped(string task) => skipped?.Invoke(task) == true;

    public TemplateScope WithWorkflowStatus(string status) => new(parameters, workflow with { Status = status }, outputsOf, skipped, statusOf) { item = item };

    public bool TryResolve(string path, out JsonElement value)
    {
        value = default;
        string[] parts = path.Split('.');
        switch (parts[0])
        {
            // Whole objects, for expressions that read params.NAME, workflow.FIELD and tasks.NAME.outputs.
            case "params" when parts.Length == 1:
                return Set(JsonSerializer.SerializeToElement(parameters), out value);
            case "workflow" when parts.Length == 1:
                return Set(JsonSerializer.SerializeToElement(WorkflowObject()), out value);
            case "tasks" when parts.Length == 2:
                return TaskObject(parts[1]) is { } task && Set(task, out value);
            case "tasks" when parts.Length == 3 && parts[2] == "status":
                return statusOf?.Invoke(parts[1]) is string phase && Set(JsonSerializer.SerializeToElement(phase), out value);
            case "params" when parts.Length == 2:
                return parameters.TryGetValue(parts[1], out string? text) && Set(JsonSerializer.SerializeToElement(text), out value);
            case "workflow" when parts.Length == 3 && parts[1] == "labels":
                return workflow.Labels.TryGetValue(parts[2], out string? label) && Set(JsonSerializer.SerializeToElement(label), out value);
            case "workflow" when parts.Length == 3 && parts[1] == "parameters":
                return parts[2] == "json"
                    ? Set(JsonSerializer.SerializeToElement(ParametersJson()), out value)
                    : parameters.TryGetValue(parts[2], out string? named) && Set(JsonSerializer.SerializeToElement(named), out value);
            case "workflow" when parts.Length == 2:
                return WorkflowField(parts[1]) is { } field && Set(field, out value);
            case "item" when item is JsonElement current:
                return Navigate(current, parts.AsSpan(1), out value);
            case "tasks" when parts.Length >= 4 && parts[2] == "outputs":
                IReadOnlyDictionary<string, JsonElement>? outputs = outputsOf(parts[1]);
                if (outputs is not null && outputs.TryGetValue(parts[3], out JsonElement output))
                {
                    return Navigate(output, parts.AsSpan(4), out value);
                }

                return skipped?.Invoke(parts[1]) == true && Set(Empty, out value);
            default:
                return false;
        }
    }

    /// <summary>The workflow variables as one object, for expressions that read <c>workflow.FIELD</c>.</summary>
    Dictionary<string, JsonElement> WorkflowObject()
    {
        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (string name in WorkflowInfo.Fields)
        {
            if (WorkflowField(name) is JsonElement field)
            {
                fields[name] = field;
            }
        }

        fields["labels"] = JsonSerializer.SerializeToElement(workflow.Labels);
        fields["parameters"] = JsonSerializer.SerializeToElement(new Dictionary<string, string>(parameters) { ["json"] = ParametersJson() });
        return fields;
    }

    JsonElement? WorkflowField(string name) => name switch
    {
        "name" => JsonSerializer.SerializeToElement(workflow.Name),
        "id" => JsonSerializer.SerializeToElement(workflow.Id),
        "revision" => JsonSerializer.SerializeToElement(workflow.Revision),
        "status" => JsonSerializer.SerializeToElement(workflow.Status),

        // Argo's spellings: an RFC 3339 time, and seconds as a number.
        "creationTimestamp" when workflow.CreatedAt is DateTime created => JsonSerializer.SerializeToElement(created.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture)),
        "duration" when workflow.CreatedAt is DateTime created && workflow.Clock is { } clock => JsonSerializer.SerializeToElement(Math.Round((clock() - created).TotalSeconds, 3)),
        "failures" when workflow.Failures is { } failures => JsonSerializer.SerializeToElement(failures().GetRawText()),
        _ => null,
    };

    /// <summary>Argo's <c>workflow.parameters.json</c>: the run's params as a JSON list of name and value.</summary>
    string ParametersJson() => JsonSerializer.Serialize(parameters.Select(p => new { name = p.Key, value = p.Value }));

    JsonElement? TaskObject(string task)
    {
        IReadOnlyDictionary<string, JsonElement>? outputs = outputsOf(task);
        string? status = statusOf?.Invoke(task);
        if (outputs is null && status is null)
        {
            return null;
        }

        var fields = new Dictionary<string, object>(StringComparer.Ordinal) { ["outputs"] = outputs ?? new Dictionary<string, JsonElement>() };
        if (status is not null)
        {
            fields["status"] = status;
        }

        return JsonSerializer.SerializeToElement(fields);
    }

    /// <summary>Walks into JSON: <c>item.name</c>, or <c>outputs.json.version</c> when the output holds an object.</summary>
    static bool Navigate(JsonElement start, ReadOnlySpan<string> path, out JsonElement value)
    {
        value = start;
        foreach (string step in path)
        {
            if (value.ValueKind == JsonValueKind.String && value.GetString() is { } text && text.TrimStart().StartsWith('{'))
            {
                try
                {
                    using JsonDocument document = JsonDocument.Parse(text);
                    value = document.RootElement.Clone();
                }
                catch (JsonException)
                {
                    return false;
                }
            }

            if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty(step, out JsonElement next))
            {
                value = next;
            }
            else if (value.ValueKind == JsonValueKind.Array && int.TryParse(step, out int index) && index >= 0 && index < value.GetArrayLength())
            {
                value = value[index];
            }
            else
            {
                return false;
            }
        }

        return true;
    }

    static bool Set(JsonElement source, out JsonElement value)
    {
        value = source;
        return true;
    }
}

/// <summary>What a run knows of itself: Argo's <c>workflow.*</c> variables.</summary>
public sealed record WorkflowInfo(string Name, string Id, string Revision, string Status = "Running")
{
    /// <summary>The <c>workflow.FIELD</c> names a template or expression may read (besides <c>labels.NAME</c> and <c>parameters.NAME|json</c>).</summary>
    public static readonly IReadOnlyList<string> Fields = ["name", "id", "revision", "status", "creationTimestamp", "duration", "failures"];

    /// <summary>When the run started; with <see cref="Clock"/> it gives <c>workflow.duration</c>.</summary>
    public DateTime? CreatedAt { get; init; }

    /// <summary>The orchestrator's replay-safe clock.</summary>
    public Func<DateTime>? Clock { get; init; }

    /// <summary>The failed and errored nodes as a JSON list, for exit handlers (<c>workflow.failures</c>).</summary>
    public Func<JsonElement>? Failures { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
