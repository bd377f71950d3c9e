using System.Text.Json;

namespace GitOps.Orchestrations.Sdk;

public enum TaskStatus
{
    Succeeded,

    /// <summary>The work was done and the answer is no: a test failed, a ticket was rejected.</summary>
    Failed,

    /// <summary>The work could not be done: a server was unreachable, an answer made no sense.</summary>
    Errored,

    /// <summary>Not decided yet: call again after <see cref="TaskOutcome.CheckAgainAfter"/>.</summary>
    Pending,
}

/// <summary>How one call of a task type ended.</summary>
public sealed record TaskOutcome
{
    public TaskStatus Status { get; init; }

    /// <summary>Shown in the run's status: say what happened, never a credential.</summary>
    public string? Message { get; init; }

    /// <summary>Read by later steps as <c>{{tasks.NODE.outputs.NAME}}</c>.</summary>
    public IReadOnlyDictionary<string, JsonElement> Outputs { get; init; } = new Dictionary<string, JsonElement>();

    /// <summary>False when another attempt cannot change the answer (a person said no).</summary>
    public bool Retryable { get; init; } = true;

    public TimeSpan CheckAgainAfter { get; init; }

    /// <summary>Handed to the next call as <see cref="TaskContext.State"/>.</summary>
    public JsonElement? State { get; init; }

    public static TaskOutcome Succeeded(IReadOnlyDictionary<string, JsonElement>? outputs = null, string? message = null) =>
        new() { Status = TaskStatus.Succeeded, Outputs = outputs ?? new Dictionary<string, JsonElement>(), Message = message };

    public static TaskOutcome Failed(string message, bool retryable = true) =>
        new() { Status = TaskStatus.Failed, Message = message, Retryable = retryable };

    public static TaskOutcome Errored(string message) => new() { Status = TaskStatus.Errored, Message = message };

    public static TaskOutcome Pending(TimeSpan checkAgainAfter, string message, object? state = null) =>
        new()
        {
            Status = TaskStatus.Pending,
            CheckAgainAfter = checkAgainAfter,
            Message = message,
            State = state is null ? null : JsonSerializer.SerializeToElement(state, JsonSerializerOptions.Web),
        };

    /// <summary>Outputs from name and value pairs, each value serialized as JSON.</summary>
    public static IReadOnlyDictionary<string, JsonElement> OutputsOf(params (string Name, object? Value)[] values) =>
        values.ToDictionary(v => v.Name, v => JsonSerializer.SerializeToElement(v.Value, JsonSerializerOptions.Web), StringComparer.Ordinal);
}
