using System.Text.Json;

namespace GitOps.Orchestrations.Sdk;

/// <summary>What one call of a task type gets.</summary>
public sealed class TaskContext
{
    /// <summary>The task type's name, as the workflow wrote it in <c>uses:</c>.</summary>
    public required string TaskType { get; init; }

    public required string RunId { get; init; }

    public required string Node { get; init; }

    /// <summary>The fan-out item's index, for a node with <c>withItems</c>, <c>withParam</c> or <c>withSequence</c>.</summary>
    public int? Item { get; init; }

    /// <summary>1 for the first attempt; a retry is a new attempt.</summary>
    public required int Attempt { get; init; }

    /// <summary>0 for the first call of an attempt, then 1, 2, … for each call after a <see cref="TaskOutcome.Pending"/>.</summary>
    public int Check { get; init; }

    /// <summary>
    /// The same for every call of one attempt, across worker crashes, and different for each
    /// attempt: send it as an <c>Idempotency-Key</c>, or use it to name what you create.
    /// </summary>
    public required string IdempotencyKey { get; init; }

    /// <summary>The step's <c>with:</c> block with its templates rendered; an empty object when it has none.</summary>
    public required JsonElement With { get; init; }

    /// <summary>What the previous call returned as <see cref="TaskOutcome.State"/>, such as the id of the ticket it opened.</summary>
    public JsonElement? State { get; init; }

    public required Microsoft.Extensions.Logging.ILogger Logger { get; init; }

    /// <summary>A field of <c>with:</c> as text (numbers and booleans as written), or null when absent.</summary>
    public string? GetString(string field) =>
        With.ValueKind == JsonValueKind.Object && With.TryGetProperty(field, out JsonElement value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Null => null,
                _ => value.GetRawText(),
            }
            : null;

    /// <summary>A field of <c>with:</c> read as <typeparamref name="T"/>; default when absent.</summary>
    public T? Get<T>(string field) =>
        With.ValueKind == JsonValueKind.Object && With.TryGetProperty(field, out JsonElement value)
            ? value.Deserialize<T>(JsonSerializerOptions.Web)
            : default;
}
