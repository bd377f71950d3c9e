using System.Text.Json;
using GitOps.Orchestrations.Engine.TaskTypes;
using GitOps.Orchestrations.Engine.TaskTypes.Custom;
using GitOps.Orchestrations.Sdk;
using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Engine.Activities;

/// <param name="Check">0 for an attempt's first call, then one more for each call after a pending outcome.</param>
public sealed record CustomTaskRequest(string TaskType, JsonElement With, string IdempotencyKey, string RunId, string Node, int? Item, int Attempt, int Check, JsonElement? State);

public sealed record CustomTaskResult(Sdk.TaskStatus Status, string? Message, Dictionary<string, JsonElement> Outputs, bool Retryable, TimeSpan CheckAgainAfter, JsonElement? State);

/// <summary>
/// The one activity every custom task type runs through, in both hosts: it makes the task type's
/// class from the host's services and calls it with a time limit. What it returns is bounded
/// before it enters history, and an exception is the step's error, never the worker's.
/// </summary>
public sealed class CustomTaskActivity(TaskTypeRegistry taskTypes, IServiceProvider services, ILoggerFactory loggers) : TaskActivity<CustomTaskRequest, CustomTaskResult>
{
    /// <summary>How long one call may take; a task type that waits longer returns Pending and is called again.</summary>
    public static readonly TimeSpan CallLimit = TimeSpan.FromMinutes(10);

    public const int MaxOutputBytes = 64 * 1024;

    public const int MaxStateBytes = 16 * 1024;

    public const int MaxMessageLength = 2000;

    public override async Task<CustomTaskResult> RunAsync(TaskActivityContext context, CustomTaskRequest input)
    {
        if (!taskTypes.TryGet(input.TaskType, out ITaskType? type) || type is not CustomTaskType custom)
        {
            return Errored($"task type '{input.TaskType}' is not registered in this worker (known: {string.Join(", ", taskTypes.Names.Order(StringComparer.Ordinal))})");
        }

        ILogger logger = loggers.CreateLogger(custom.Definition.Implementation);
        using var limit = new CancellationTokenSource(CallLimit);
        TaskOutcome outcome;
        // Registered in the services (AddGitOpsTaskType), the container owns it; made here (a plugin's), this call does.
        object? registered = services.GetService(custom.Definition.Implementation);
        object? instance = registered;
        try
        {
            instance ??= ActivatorUtilities.CreateInstance(services, custom.Definition.Implementation);
            outcome = await ((ICustomTaskType)instance).RunAsync(
                new TaskContext
                {
                    TaskType = input.TaskType,
                    RunId = input.RunId,
                    Node = input.Node,
                    Item = input.Item,
                    Attempt = input.Attempt,
                    Check = input.Check,
                    IdempotencyKey = input.IdempotencyKey,
                    With = input.With,
                    State = input.State,
                    Logger = logger,
                },
                limit.Token);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            return Errored($"{input.TaskType} did not return within {CallLimit.TotalMinutes:0} minutes; return Pending to wait longer");
        }
        catch (Exception e)
        {
            // The task type's own failure: the step errors (and may be retried); the worker goes on.
            logger.CustomTaskThrew(input.TaskType, e);
            return Errored($"{input.TaskType} threw {e.GetType().Name}: {OneLine(e.Message)}");
        }
        finally
        {
            if (registered is null)
            {
                if (instance is IAsyncDisposable asyncDisposable)
                {
                    await asyncDisposable.DisposeAsync();
                }
                else
                {
                    (instance as IDisposable)?.Dispose();
                }
            }
        }

        if (outcome is null)
        {
            return Errored($"{input.TaskType} returned no outcome");
        }

        var outputs = new Dictionary<string, JsonElement>(outcome.Outputs ?? new Dictionary<string, JsonElement>(), StringComparer.Ordinal);
        if (JsonSerializer.SerializeToUtf8Bytes(outputs).Length > MaxOutputBytes)
        {
            return Errored($"{input.TaskType} returned outputs over {MaxOutputBytes / 1024} KiB; outputs travel through history and status");
        }

        if (outcome.State is JsonElement state && state.GetRawText().Length > MaxStateBytes)
        {
            return Errored($"{input.TaskType} returned state over {MaxStateBytes / 1024} KiB");
        }

        return new CustomTaskResult(outcome.Status, outcome.Message is null ? null : OneLine(outcome.Message), outputs, outcome.Retryable, outcome.CheckAgainAfter, outcome.State);
    }

    static CustomTaskResult Errored(string message) => new(Sdk.TaskStatus.Errored, message, new(StringComparer.Ordinal), true, TimeSpan.Zero, null);

    static string OneLine(string text)
    {
        string line = text.ReplaceLineEndings(" ");
        return line.Length > MaxMessageLength ? line[..MaxMessageLength] + "…" : line;
    }
}
