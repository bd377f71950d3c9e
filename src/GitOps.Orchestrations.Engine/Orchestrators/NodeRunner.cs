using System.Text.Json;
using GitOps.Orchestrations.Core.Expressions;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Templating;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Engine.TaskTypes;
using Microsoft.DurableTask;

namespace GitOps.Orchestrations.Engine.Orchestrators;

/// <summary>
/// Runs one node inside an orchestrator: its <c>when</c>, its fan-out, and for each item the attempts
/// with retry backoff and per-attempt timeout, all on durable timers. Shared by the workflow
/// orchestrator and the fan-out chunk orchestrator so both follow exactly the same rules.
/// </summary>
internal sealed class NodeRunner(OrchestrationServices services, TaskOrchestrationContext context, WorkflowRunInput run, string runId)
{
    /// <summary>Fan-outs wider than this run as sub-orchestrations of this many items each, to keep every history small.</summary>
    public const int ChunkSize = 100;

    public const int MaxItems = 10_000;

    static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    public Action<string, StepProgress> OnProgress { get; init; } = static (_, _) => { };

    public Action<string, int> OnAttempt { get; init; } = static (_, _) => { };

    /// <summary>Cancelled when the run stops waiting for its nodes (the workflow timed out).</summary>
    public CancellationToken RunCancellation { get; init; }

    public async Task<NodeOutcome> RunNodeAsync(TaskSpec task, TemplateScope scope, Func<IEnumerable<string>, Dictionary<string, Dictionary<string, JsonElement>>> upstreamOutputs)
    {
        try
        {
            if (!task.IsFanOut)
            {
                ItemOutcome single = await RunItemAsync(task, scope, null);
                return new NodeOutcome(single.Phase, single.Message, single.Outputs, single.Attempts, null, single.Approvals);
            }

            IReadOnlyList<JsonElement> items = ExpandItems(task, scope);
            if (items.Count > MaxItems)
            {
                return new NodeOutcome(NodePhase.Errored, $"fan-out of {items.Count} items exceeds the limit of {MaxItems}", [], 0, null, null);
            }

            // parallelism: the task's own, and never more than the workflow's.
            int limit = Math.Min(task.Parallelism ?? int.MaxValue, run.Snapshot.Workflow.Parallelism ?? int.MaxValue);
            IReadOnlyList<ItemOutcome> outcomes;
            if (items.Count <= ChunkSize)
            {
                outcomes = limit >= items.Count
                    ? await Task.WhenAll(items.Select((item, index) => RunItemAsync(task, scope.WithItem(item), index)))
                    : await BoundedStart.RunAsync(items.Count, limit, index => RunItemAsync(task, scope.WithItem(items[index]), index), NotStarted, RunCancellation);
            }
            else
            {
                Dictionary<string, Dictionary<string, JsonElement>> upstream = upstreamOutputs(ReferencedTasks(task));
                var chunkIds = new List<string>();

                // A stopped run stops its chunks too; each stops its items the way a node does.
                using CancellationTokenRegistration stopChunks = RunCancellation.Register(() =>
                {
                    foreach (string chunk in chunkIds)
                    {
                        context.SendEvent(chunk, RunStop.Event, services.Approvals.Sign(chunk, new StopRequest("engine", $"{runId} stopped waiting for it")));
                    }
                });
                // Under a limit each chunk runs at most its share of items at once, and only as many chunks
                // start as the shares fit in the limit: at most the limit runs across the whole fan-out.
                // The run's bound on chunks at once (FanOutDefaults) holds whatever the limit; it comes
                // from the input, which anyone with the hub's storage can write, so never below one.
                int perChunk = Math.Min(limit, ChunkSize);
                int chunksAtOnce = Math.Min(limit == int.MaxValue ? int.MaxValue : Math.Max(1, limit / perChunk), Math.Max(1, run.ChunksAtOnce ?? int.MaxValue));
                int chunkCount = (items.Count + ChunkSize - 1) / ChunkSize;
                Task<List<ItemOutcome>> StartChunk(int chunk)
                {
                    int first = chunk * ChunkSize;
                    var input = new FanOutChunkInput
                    {
                        Run = run,
                        RunId = runId,
                        Task = task,
                        FirstIndex = first,
                        Items = items.Skip(first).Take(ChunkSize).ToList(),
                        UpstreamOutputs = upstream,
                        SkippedUpstream = upstream.Keys.Where(scope.IsSkipped).ToList(),
                        UpstreamStatus = upstream.Keys.Select(name => (name, scope.TryResolve($"tasks.{name}.status", out JsonElement phase) ? phase.GetString() : null))
                            .Where(s => s.Item2 is not null).ToDictionary(s => s.name, s => s.Item2!, StringComparer.Ordinal),
                        Parallelism = perChunk < ChunkSize ? perChunk : null,
                    };
                    string chunkId = $"{runId}.{task.Name}.items-{first}";
                    chunkIds.Add(chunkId);
                    return context.CallSubOrchestratorAsync<List<ItemOutcome>>(nameof(FanOutChunkOrchestrator), input, context.Child(chunkId));
                }

                List<ItemOutcome>[] chunks = await BoundedStart.RunAsync(chunkCount, Math.Min(chunksAtOnce, chunkCount), StartChunk,
                    chunk => [.. Enumerable.Range(0, Math.Min(ChunkSize, items.Count - (chunk * ChunkSize))).Select(NotStarted)], RunCancellation);
                outcomes = chunks.SelectMany(c => c).ToList();
            }

            return Fold(outcomes);
        }
        catch (Exception e) when (e is TemplateException or ExpressionException or FormatException)
        {
            return new NodeOutcome(NodePhase.Errored, e.Message, [], 0, null, null);
        }
    }

    /// <summary>An item a stopped run never started: it fails as the items it was stopped in do.</summary>
    internal static ItemOutcome NotStarted(int index) => new(NodePhase.Failed, "cancelled before it started", [], 0);

    /// <summary>Runs one item: evaluates <c>when</c>, then attempts until success or the retry limit.</summary>
    public async Task<ItemOutcome> RunItemAsync(TaskSpec task, TemplateScope scope, int? item)
    {
        string path = item is int i ? $"{task.Name}.{i}" : task.Name;
        try
        {
            if (task.When is string when && !ExpressionLanguage.Compile(when).EvaluateBoolean(scope))
            {
                return new ItemOutcome(NodePhase.Skipped, $"when '{when}' is false", [], 0);
            }

            ITaskType type = services.TaskTypes.Get(task.Uses);
            JsonElement with = task.With is JsonElement raw
                ? Template.Render(raw, scope, field => type.Schema.Fields.GetValueOrDefault(field)?.Kind == Core.Validation.FieldKind.Expression)
                : EmptyObject;
            StepResult result = StepResult.Errored("not run");
            string? stoppedBecause = null;
            DateTime firstStarted = context.CurrentUtcDateTime;
            // A run started before Argo's retry semantics keeps the ones it started with (OrchestrationVersions).
            RetrySpec? retrySpec = context.StartedBefore(OrchestrationVersions.ArgoRetry) ? task.Retry?.AsFirstReleaseRead() : task.Retry;

            // Bounded by the retry spec: its limit, or RetryLimits.MaxUnlimitedAttempts under a workflow timeout.
            int maxAttempts = retrySpec is RetrySpec spec ? (spec.Limit ?? RetryLimits.MaxUnlimitedAttempts - 1) + 1 : 1;
            int attempt;
            for (attempt = 1; ; attempt++)
            {
                OnAttempt(path, attempt);
                using var cancelAttempt = CancellationTokenSource.CreateLinkedTokenSource(RunCancellation);
                var step = new StepInvocation
                {
                    RunId = runId,
                    Node = task.Name,
                    Item = item,
                    Attempt = attempt,
                    With = with,
                    Scope = scope,
                    Run = run,
                    Approvals = services.Approvals,
                    Report = progress => OnProgress(path, progress),
                    Cancellation = cancelAttempt.Token,
                };
                DateTime attemptStarted = context.CurrentUtcDateTime;
                result = await RunAttemptAsync(type, step, task.Timeout, cancelAttempt);
                if (result.Phase is NodePhase.Succeeded or NodePhase.Skipped || !result.Retryable || retrySpec is not RetrySpec retry
                    || attempt >= maxAttempts || RunCancellation.IsCancellationRequested)
                {
                    break;
                }

                RetryDecision next = retry.Next(attempt, result.Phase, transient: result.Phase == NodePhase.Errored, context.CurrentUtcDateTime - firstStarted);
                if (next.Retry && retry.Expression is string expression)
                {
                    var lastRetry = new Dictionary<string, JsonElement>(StringComparer.Ordinal)
                    {
                        ["lastRetry"] = JsonSerializer.SerializeToElement(new
                        {
                            status = result.Phase.ToString(),
                            message = result.Message ?? string.Empty,
                            attempt,
                            duration = (context.CurrentUtcDateTime - attemptStarted).TotalSeconds,
                        }),
                    };
                    next = ExpressionLanguage.Compile(expression).EvaluateBoolean(scope, lastRetry) ? next : RetryDecision.Stop($"retry expression '{expression}' is false");
                }

                if (!next.Retry)
                {
                    stoppedBecause = next.Because;
                    break;
                }

                if (next.Delay > TimeSpan.Zero)
                {
                    await context.CreateTimer(next.Delay, RunCancellation);
                }
            }

            string? message = result.Message;
            if (attempt > 1 && result.Phase.IsFailure())
            {
                message = $"{message} (after {attempt} attempts)";
            }

            if (stoppedBecause is not null && result.Phase.IsFailure())
            {
                message = $"{message}; not retried: {stoppedBecause}";
            }

            if (result.Phase == NodePhase.Succeeded)
            {
                Dictionary<string, JsonElement> outputs = WithDeclaredOutputs(task, type, result.Outputs, scope);
                return new ItemOutcome(result.Phase, message, outputs, attempt, result.Approvals);
            }

            return new ItemOutcome(result.Phase, message, result.Outputs, attempt, result.Approvals);
        }
        catch (Exception e) when (e is TemplateException or ExpressionException or FormatException or KeyNotFoundException)
        {
            return new ItemOutcome(NodePhase.Errored, e.Message, [], 0);
        }
        catch (TaskCanceledException)
        {
            return new ItemOutcome(NodePhase.Failed, "cancelled", [], 0);
        }
    }

    /// <summary>
    /// Adds <c>result</c> (the task type's main output) and the task's declared outputs, each an
    /// expression over the step's <c>result</c> and <c>outputs</c>. One that cannot be evaluated
    /// errors the item: a downstream step must never read an output that silently went missing.
    /// </summary>
    static Dictionary<string, JsonElement> WithDeclaredOutputs(TaskSpec task, ITaskType type, Dictionary<string, JsonElement> produced, TemplateScope scope)
    {
        var outputs = new Dictionary<string, JsonElement>(produced, StringComparer.Ordinal);
        if (!outputs.ContainsKey("result") && type.Schema.Result is string main && outputs.TryGetValue(main, out JsonElement value))
        {
            outputs["result"] = value;
        }

        if (task.Outputs is not { Count: > 0 } declared)
        {
            return outputs;
        }

        var variables = new Dictionary<string, JsonElement>(StringComparer.Ordinal)
        {
            ["result"] = outputs.TryGetValue("result", out JsonElement result) ? result : JsonSerializer.SerializeToElement<object?>(null),
            ["outputs"] = JsonSerializer.SerializeToElement(produced),
        };
        DeclaredOutputs.EvaluateInto(declared, outputs, scope, variables);
        return outputs;
    }

    async Task<StepResult> RunAttemptAsync(ITaskType type, StepInvocation step, TimeSpan? timeout, CancellationTokenSource cancelAttempt)
    {
        try
        {
            Task<StepResult> attempt = type.RunAsync(context, step);
            if (timeout is not TimeSpan limit)
            {
                return await attempt;
            }

            using TimerScope attemptTimer = context.StartTimer(limit, RunCancellation);
            Task timer = attemptTimer.Fired;
            if (await Task.WhenAny(attempt, timer) == timer)
            {
                // Stop the step's own timers and waits; a durable timer left behind keeps the instance from completing.
                cancelAttempt.Cancel();
                string timedOut = $"timed out after {Durations.Format(limit)}";
                if (type is ICleansUpWhenCancelled)
                {
                    using TimerScope grace = context.StartTimer(RunStop.Grace);
                    if (await Task.WhenAny(attempt, grace.Fired) == attempt)
                    {
                        return StepResult.Failed($"{timedOut}; {(await attempt).Message}");
                    }
                }

                return StepResult.Failed(timedOut);
            }

            return await attempt;
        }
        catch (TaskFailedException e)
        {
            return StepResult.Errored(e.FailureDetails.ErrorMessage);
        }
        catch (TaskCanceledException)
        {
            return StepResult.Failed("cancelled");
        }
    }

    static IReadOnlyList<JsonElement> ExpandItems(TaskSpec task, TemplateScope scope)
    {
        if (task.WithItems is JsonElement items)
        {
            return items.EnumerateArray().ToList();
        }

        if (task.WithSequence is SequenceSpec sequence)
        {
            return sequence.Items(bound => Template.Render(bound, scope));
        }

        string text = Template.Render(task.WithParam!, scope);
        try
        {
            using JsonDocument document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Array
                ? document.RootElement.EnumerateArray().Select(e => e.Clone()).ToList()
                : throw new FormatException($"withParam must give a JSON array, but gave {document.RootElement.ValueKind}: {Shorten(text)}");
        }
        catch (JsonException e)
        {
            throw new FormatException($"withParam is not a JSON array ({e.Message}): {Shorten(text)}");
        }
    }

    static NodeOutcome Fold(IReadOnlyList<ItemOutcome> outcomes)
    {
        FanOutSummary summary = FanOutSummary.Of(outcomes.Select(o => o.Phase));
        var outputs = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        List<ItemOutcome> succeeded = outcomes.Where(o => o.Phase == NodePhase.Succeeded).ToList();
        foreach (string key in succeeded.SelectMany(o => o.Outputs.Keys).Distinct(StringComparer.Ordinal))
        {
            // Argo's rule: a fan-out's output is the list of its Succeeded items' outputs, in item order.
            outputs[key] = JsonSerializer.SerializeToElement(succeeded.Select(o => o.Outputs.TryGetValue(key, out JsonElement v) ? v : default(JsonElement?)).ToList());
        }

        var failures = outcomes.Select((o, i) => (o, i)).Where(x => x.o.Phase.IsFailure()).ToList();
        string message = summary.Total == 0 ? "no items"
            : failures.Count == 0 ? $"{summary.Succeeded}/{summary.Total} items succeeded" + (summary.Skipped > 0 ? $", {summary.Skipped} skipped" : string.Empty)
            : $"{failures.Count}/{summary.Total} items failed; first: item {failures[0].i}: {failures[0].o.Message}";
        return new NodeOutcome(summary.Phase, message, outputs, outcomes.Count == 0 ? 0 : outcomes.Max(o => o.Attempts), summary, null);
    }

    /// <summary>The upstream tasks a chunk's items may read: in templates, and by name in <c>when</c>, declared outputs and <c>{{= }}</c>.</summary>
    static IEnumerable<string> ReferencedTasks(TaskSpec task)
    {
        IEnumerable<TemplateReference> references = task.With is JsonElement with ? Template.References(with) : [];
        references = references.Concat(task.When is string when ? Template.References(when) : []).ToList();
        IEnumerable<string> expressions = references.Select(r => Template.ExpressionSource(r.Path)).OfType<string>()
            .Concat(task.When is string condition ? [condition] : [])
            .Concat(task.Outputs?.Values ?? []);
        return references.Select(r => r.Parts).Where(p => p.Length > 1 && p[0] == "tasks").Select(p => p[1])
            .Concat(expressions.SelectMany(e => ExpressionLanguage.Compile(e).TaskNames))
            .Distinct(StringComparer.Ordinal);
    }

    static string Shorten(string text) => text.Length > 120 ? text[..117] + "..." : text;
}
