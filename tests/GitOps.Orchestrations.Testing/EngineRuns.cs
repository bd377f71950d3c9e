using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.Runs;

namespace GitOps.Orchestrations.Testing;

public static class EngineRuns
{
    /// <summary>Starts the first workflow of <paramref name="yaml"/> and waits, at most two minutes, until the run ends.</summary>
    public static async Task<RunStatus> RunToEndAsync(this WorkflowRunClient runs, string yaml, IReadOnlyDictionary<string, string>? parameters = null, Engine.TaskTypes.TaskTypeRegistry? taskTypes = null)
    {
        WorkflowSnapshot snapshot = WorkflowSnapshots.Load(yaml, taskTypes: taskTypes);
        string id = await runs.StartAsync(snapshot, parameters ?? new Dictionary<string, string>(), "tester", $"{snapshot.Workflow.Name}-{Guid.NewGuid():N}");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        return await runs.WatchAsync(id, _ => Task.CompletedTask, TimeSpan.FromMilliseconds(100), timeout.Token);
    }
}
