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
public sealed class TemplateScope(
    IReadOnlyDictionary<string, string> parameters,
    WorkflowInfo workflow,
    Func<string, IReadOnlyDictionary<string, JsonElement>?> outputsOf,
    Func<string, bool>? skipped = null) : ITemplateScope
{
    static readonly JsonElement Empty = JsonSerializer.SerializeToElement(string.Empty);

    JsonElement? item;

    /// <summary>A copy that also sees the current fan-out item as <c>{{item}}</c>.</summary>
    public TemplateScope WithItem(JsonElement value) => new(parameters, workflow, outputsOf, skipped) { item = value };

    /// <summary>Whether <paramref name="task"/> was Skipped or Omitted, so its outputs read as empty strings.</summary>
    public bool IsSkipped(string task) => skipped?.Invoke(task) == true;

    public TemplateScope WithWorkflowStatus(string status) => new(parameters, workflow with { Status = status }, outputsOf, skipped) { item = item };

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
                return Set(JsonSerializer.SerializeToElement(new { name = workflow.Name, id = workflow.Id, revision = workflow.Revision, status = workflow.Status }), out value);
            case "tasks" when parts.Length == 2:
                return outputsOf(parts[1]) is { } all && Set(JsonSerializer.SerializeToElement(new { outputs = all }), out value);
            case "params" when parts.Length == 2:
                return parameters.TryGetValue(parts[1], out string? text) && Set(JsonSerializer.SerializeToElement(text), out value);
            case "workflow" when parts.Length == 2:
                string? field = parts[1] switch
                {
                    "name" => workflow.Name,
                    "id" => workflow.Id,
                    "revision" => workflow.Revision,
                    "status" => workflow.Status,
                    _ => null,
                };
                return field is not null && Set(JsonSerializer.SerializeToElement(field), out value);
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

public sealed record WorkflowInfo(string Name, string Id, string Revision, string Status = "Running");
