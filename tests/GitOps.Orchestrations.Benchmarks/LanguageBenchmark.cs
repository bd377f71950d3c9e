using System.Diagnostics;
using System.Text;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Engine.TaskTypes;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Hosting.Backends;
using GitOps.Orchestrations.Testing;

namespace GitOps.Orchestrations.Benchmarks;

/// <summary>
/// What the workflow language's reuse and limits cost, on the embedded backend: a fan-out of 500
/// no-op items bounded by <c>parallelism: 10</c> against the same fan-out unbounded, and 50 tasks
/// that each call a one-step WorkflowTemplate against 50 tasks that do the step themselves; and 20
/// runs started at once that take turns through a mutex against 20 runs started one after another
/// by the client (the same serial order, kept without a lock).
/// </summary>
public static class LanguageBenchmark
{
    const int Items = 500, Limit = 10, Calls = 50, Serial = 20;

    public static async Task RunAsync(int repeat)
    {
        var registry = new TaskTypeRegistry([.. BuiltInTaskTypes.Create(), new NoOpTaskType()]);
        await using EngineHost host = await EngineHost.StartAsync(new EngineHostOptions
        {
            Store = new MemoryStore(),
            TaskTypes = registry,
            ConfigureTasks = tasks => tasks.AddActivity<NoOpActivity>(),
        });

        string fan = $"apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {{name: fan}}\nspec:\n  tasks:\n    - {{name: fan, uses: noop, withSequence: {{count: {Items}}}}}\n";
        string bounded = fan.Replace("uses: noop,", $"uses: noop, parallelism: {Limit},", StringComparison.Ordinal);
        var inline = new StringBuilder("apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {name: inline}\nspec:\n  tasks:\n");
        var called = new StringBuilder("apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {name: called}\nspec:\n  tasks:\n");
        for (int i = 0; i < Calls; i++)
        {
            inline.Append($"    - {{name: t{i}, uses: noop}}\n");
            called.Append($"    - {{name: t{i}, templateRef: {{name: step}}}}\n");
        }

        called.Append("---\napiVersion: gitops.orchestrations/v1\nkind: WorkflowTemplate\nmetadata: {name: step}\nspec:\n  task: {uses: noop}\n");

        foreach (var (shape, measured, baseline) in new[]
        {
            ($"fan-out of {Items}, parallelism {Limit} / unbounded", bounded, fan),
            ($"{Calls} template calls / {Calls} inline tasks", called.ToString(), inline.ToString()),
            ($"{Serial} runs through a mutex / {Serial} runs one after another", Single.Replace("spec:", "spec:\n  synchronization: {mutex: bench}", StringComparison.Ordinal), Single),
        })
        {
            WorkflowSnapshot measuredSnapshot = WorkflowSnapshots.Load(measured, taskTypes: registry);
            WorkflowSnapshot baselineSnapshot = WorkflowSnapshots.Load(baseline, taskTypes: registry);
            bool serial = measuredSnapshot.Workflow.Synchronization is not null;
            var measuredTimes = new List<double>();
            var baselineTimes = new List<double>();

            // One warm-up round, then alternate so neither side always runs on a warmer process.
            for (int round = 0; round <= repeat; round++)
            {
                double a = serial ? await TimeAtOnceAsync(host, measuredSnapshot) : await TimeAsync(host, measuredSnapshot);
                double b = serial ? await TimeOneAfterAnotherAsync(host, baselineSnapshot) : await TimeAsync(host, baselineSnapshot);
                if (round > 0)
                {
                    measuredTimes.Add(a);
                    baselineTimes.Add(b);
                }
            }

            double m = Median(measuredTimes), bl = Median(baselineTimes);
            Console.WriteLine($"{shape}: {m:0.000} s / {bl:0.000} s = {m / bl:0.00}  (runs: {string.Join(" ", measuredTimes.Select(t => t.ToString("0.000")))} / {string.Join(" ", baselineTimes.Select(t => t.ToString("0.000")))})");
        }
    }

    const string Single = "apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {name: single}\nspec:\n  tasks:\n    - {name: a, uses: noop}\n";

    static async Task<double> TimeAtOnceAsync(EngineHost host, WorkflowSnapshot snapshot)
    {
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Serial).Select(_ => RunAsync(host, snapshot)));
        return watch.Elapsed.TotalSeconds;
    }

    static async Task<double> TimeOneAfterAnotherAsync(EngineHost host, WorkflowSnapshot snapshot)
    {
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < Serial; i++)
        {
            await RunAsync(host, snapshot);
        }

        return watch.Elapsed.TotalSeconds;
    }

    static async Task RunAsync(EngineHost host, WorkflowSnapshot snapshot)
    {
        string id = await host.Runs.StartAsync(snapshot, null, "bench");
        var done = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true);
        WorkflowRunResult result = done.ReadOutputAs<WorkflowRunResult>()!;
        if (result.Phase != WorkflowPhase.Succeeded)
        {
            throw new InvalidOperationException($"{id} ended {result.Phase}: {result.Message}");
        }
    }

    static async Task<double> TimeAsync(EngineHost host, WorkflowSnapshot snapshot)
    {
        var watch = Stopwatch.StartNew();
        string id = await host.Runs.StartAsync(snapshot, null, "bench");
        var done = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true);
        watch.Stop();
        WorkflowRunResult result = done.ReadOutputAs<WorkflowRunResult>()!;
        return result.Phase == WorkflowPhase.Succeeded ? watch.Elapsed.TotalSeconds : throw new InvalidOperationException($"{id} ended {result.Phase}: {result.Message}");
    }

    static double Median(List<double> values)
    {
        List<double> sorted = [.. values.Order()];
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
