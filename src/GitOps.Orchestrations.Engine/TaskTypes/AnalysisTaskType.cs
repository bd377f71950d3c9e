using System.Text.Json;
using GitOps.Orchestrations.Core.Analysis;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Validation;
using GitOps.Orchestrations.Engine.Orchestrators;
using Microsoft.DurableTask;

namespace GitOps.Orchestrations.Engine.TaskTypes;

/// <summary>
/// <c>uses: analysis</c>: runs AnalysisTemplates of the workflow's own folder, pinned with the run, as
/// a durable sub-orchestration, and succeeds when the analysis is Successful. A Failed analysis
/// fails the node; an Inconclusive one fails it too, with the reason, since no person is asked
/// here (rollouts pause instead). Every measurement is in the node's <c>measurements</c> output.
/// </summary>
public sealed class AnalysisTaskType : ITaskType
{
    /// <summary>Measurements kept in the node's outputs, newest first cut last: outputs travel through history.</summary>
    public const int MaxMeasurementsInOutputs = 100;

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public TaskTypeSchema Schema { get; } = new("analysis", new Dictionary<string, FieldSpec>
    {
        ["templates"] = new(FieldKind.Any, Required: true),
        ["args"] = new(FieldKind.Any),
    }, Result: "phase");

    sealed record NameValue(string Name, string? Value);

    /// <summary>The last measurements as a step's output shows them: time, metric, phase, value, the query as sent, and why.</summary>
    public static JsonElement Measurements(IEnumerable<Measurement> measurements) =>
        JsonSerializer.SerializeToElement(measurements.TakeLast(MaxMeasurementsInOutputs)
            .Select(m => new { at = m.At, metric = m.Metric, phase = m.Phase.ToString(), value = m.ValueText, query = m.Query, message = m.Message }));

    public async Task<StepResult> RunAsync(TaskOrchestrationContext context, StepInvocation step)
    {
        List<NameValue> references;
        List<NameValue> given;
        try
        {
            references = step.With.GetProperty("templates").Deserialize<List<NameValue>>(Json) ?? [];
            given = step.With.TryGetProperty("args", out JsonElement args) ? args.Deserialize<List<NameValue>>(Json) ?? [] : [];
        }
        catch (JsonException e)
        {
            return StepResult.Failed($"templates and args are lists of {{name, value}}: {e.Message}") with { Retryable = false };
        }

        var templates = new List<AnalysisTemplate>();
        foreach (NameValue reference in references)
        {
            if (!step.Snapshot.AnalysisTemplates.TryGetValue(reference.Name, out AnalysisTemplate? template))
            {
                return StepResult.Failed($"AnalysisTemplate '{reference.Name}' is not in this run's snapshot") with { Retryable = false };
            }

            templates.Add(template);
        }

        List<MetricSpec> metrics = templates.SelectMany(t => t.Metrics).ToList();
        if (metrics.GroupBy(m => m.Name).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            return StepResult.Failed($"metric '{duplicate.Key}' is in more than one template") with { Retryable = false };
        }

        Dictionary<string, string> values;
        try
        {
            values = AnalysisTemplateLoader.BindArgs(templates, given.Where(a => a.Value is not null).Select(a => KeyValuePair.Create(a.Name, a.Value!)));
        }
        catch (ArgumentException e)
        {
            return StepResult.Failed(e.Message.Replace("pass it with --arg", "give it in args, or as a default in the template, as", StringComparison.Ordinal)) with { Retryable = false };
        }

        step.Report(new StepProgress($"analysing {string.Join(", ", metrics.Select(m => m.Name))}"));
        string instance = $"{step.RunId}.{step.Path}.analysis-{step.Attempt}";
        Task<AnalysisOutcome> analysis = context.CallSubOrchestratorAsync<AnalysisOutcome>(
            nameof(AnalysisOrchestrator), new AnalysisRequest(metrics, values), context.Child(instance));

        // A stopped run (or a timed-out step) stops its analysis rather than leave it measuring alone.
        using CancellationTokenRegistration stopAnalysis = step.Cancellation.Register(() => context.SendEvent(instance, AnalysisOrchestrator.StopEvent, "the run stopped waiting for this analysis"));
        AnalysisOutcome result = await analysis;

        var outputs = new Dictionary<string, JsonElement>(StringComparer.Ordinal)
        {
            ["phase"] = JsonSerializer.SerializeToElement(result.Phase.ToString()),
            ["metrics"] = JsonSerializer.SerializeToElement(result.Metrics.ToDictionary(m => m.Key, m => m.Value.ToString())),
            ["measurements"] = Measurements(result.Measurements),
        };
        string summary = $"{result.Phase}: {string.Join(", ", result.Metrics.Select(m => $"{m.Key} {m.Value}"))} ({result.Measurements.Count} measurements)";
        Measurement? last = result.Measurements.LastOrDefault(m => m.Phase != MeasurementPhase.Successful);
        return result.Phase == AnalysisPhase.Successful
            ? StepResult.Succeeded(outputs) with { Message = summary }
            : new StepResult(NodePhase.Failed, last?.Message is string why ? $"{summary}; last: {why}" : summary) { Outputs = outputs, Retryable = false };
    }
}
